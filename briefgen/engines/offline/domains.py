"""A paper's research domain from its categories and its vocabulary, without a model.

Each domain is a prototype: a label, a descriptive vocabulary (core terms weigh double) and the
arXiv categories where it applies. A paper's title and abstract are weighed against every
prototype by TF-IDF cosine similarity (IDF over the prototypes, so a term many domains share,
like "model", says little); a prototype outside the paper's categories must be matched much
more strongly to win (a cs.CV paper is a vision paper unless its text says otherwise), and a
paper that fits nothing well is "Other (cs.XX)" rather than a guess. The primary category is
always shown beside the label.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

OTHER = "Other"
MIN_SIMILARITY = 0.09  # below this nothing fits: "Other (cs.CV)"
IN_CATEGORY, CROSS_LISTED, OUT_OF_CATEGORY = 1.0, 0.8, 0.5
# Evaluation is part of most papers: it is a paper's domain only when it is its subject.
PRIORS = {"Evaluation and benchmarks": 0.85}
TITLE_WEIGHT = 3

_VISION = "cs.CV eess.IV cs.MM cs.GR"
_ML = "cs.LG stat.ML cs.AI"
_NLP = "cs.CL cs.AI cs.LG"

# (label, core terms, related terms, categories). Terms are phrases; hyphens are spaces.
_PROTOTYPES: list[tuple[str, str, str, str]] = [
    ("Segmentation and detection",
     "segmentation, semantic segmentation, instance segmentation, object detection, detector, "
     "detection, bounding box, object counting, tracking, pose estimation",
     "mask, keypoint, open vocabulary, panoptic, localization, yolo, segment anything, "
     "dense prediction, anomaly detection, object, pixel, saliency, referring, counting, "
     "pedestrian, crowd, hand pose, occlusion, box, label propagation",
     f"{_VISION} cs.RO"),
    ("Image and video generation",
     "diffusion, diffusion model, text to image, image generation, video generation, "
     "generative, image editing, flow matching",
     "denoising diffusion, rectified flow, inversion, gan, vae, latent diffusion, sampling, "
     "guidance, synthesis, style transfer, inpainting, visual tokenizer, tokenizer, fid, "
     "controllable, editing, personalization, animation, talking head, avatar, "
     "autoregressive, dit, unet, text to video, image synthesis",
     f"{_VISION} cs.LG cs.AI"),
    ("Image restoration and enhancement",
     "super resolution, image restoration, restoration, deblurring, image enhancement, "
     "low light, pansharpening",
     "dehazing, deraining, illumination, image quality, artifact, high resolution, "
     "low resolution, noise, blur, hdr, exposure, upsampling, arbitrary scale, psnr, ssim, "
     "enhancement, denoising, degradation, compression artifact",
     _VISION),
    ("3D vision and video understanding",
     "3d reconstruction, gaussian splatting, nerf, point cloud, depth estimation, "
     "stereo matching, multi view, novel view synthesis, video understanding",
     "3d, mesh, slam, camera pose, lidar, scene, geometry, monocular, splatting, "
     "radiance field, view synthesis, video, temporal, streaming video, egocentric, "
     "world model, dynamic scene, optical flow, 4d, reconstruction, stereo, voxel, "
     "structure from motion, gaussian",
     f"{_VISION} cs.RO"),
    ("Medical imaging",
     "medical image, medical imaging, mri, ct, ultrasound, radiology, x ray, "
     "chest radiograph, histopathology, pathology, whole slide",
     "lesion, tumor, tumour, organ, prostate, cardiac, echocardiography, echocardiographic, "
     "brain, retinal, fundus, dermoscopy, endoscopy, surgical, intraoperative, clinical, "
     "patient, diagnosis, cell, nuclei, segmentation, scan, volumetric, dice, biomarker, "
     "alzheimer, microscopy, radiograph, mammography, pelvic, registration, anatomical, "
     "endoscopic, fmri, echocardiogram, deformation, biomechanical, atlas",
     f"{_VISION} cs.AI cs.LG q-bio.QM physics.med-ph"),
    ("Remote sensing and earth observation",
     "remote sensing, satellite, earth observation, land cover, sar, satellite imagery",
     "multispectral, hyperspectral, landsat, sentinel, aerial, uav, drone, crop, "
     "agriculture, forest, urban, disaster, flood, cloud, geospatial, mapping, climate, "
     "algal bloom, land use, optical, harmonized, continental, tree, wildfire, change detection",
     f"{_VISION} physics.geo-ph eess.SP"),
    ("Vision-language models",
     "vlm, vision language, multimodal large language, mllm, lvlm, "
     "visual question answering, image captioning, multimodal reasoning",
     "multimodal, visual reasoning, visual grounding, clip, captioning, image text, "
     "visual instruction, visual token, hallucination, spatial reasoning, chart, video llm, "
     "visual evidence, vqa, visual, caption, referring expression, image",
     f"{_VISION} cs.CL cs.AI cs.LG"),
    ("Autonomous driving",
     "autonomous driving, driving, vehicle, self driving",
     "trajectory prediction, bev, roadside, traffic, lane, motion planning, occupancy, "
     "nuscenes, carla, pedestrian, perception, driver, road, event camera",
     f"{_VISION} cs.RO cs.AI"),
    ("Document understanding and OCR",
     "document, ocr, layout, table recognition, handwritten, text recognition",
     "scanned, page, form, chart, document layout, pdf, character, key information "
     "extraction, receipt, table, reading order, layout analysis, digitization, dictionary",
     f"{_VISION} cs.CL cs.IR cs.DL"),
    ("Machine translation",
     "machine translation, translation, translate, neural machine translation",
     "bleu, comet, source language, target language, parallel corpus, bilingual, "
     "translated, translator, language pair, nmt, post editing, translating",
     "cs.CL"),
    ("Multilingual and low-resource NLP",
     "multilingual, low resource, cross lingual, languages, low resource language",
     "arabic, chinese, hindi, marathi, punjabi, bengali, african, indic, urdu, swahili, "
     "dialect, script, code switching, english, non english, language specific, "
     "native speaker, tokenization, morphology, lingual, transfer language, monolingual",
     "cs.CL"),
    ("Question answering and RAG",
     "rag, retrieval augmented, question answering, qa, retriever, retrieval",
     "knowledge base, passage, grounding, hallucination, factuality, evidence, citation, "
     "open domain, multi hop, reranking, chunk, answer, generation, knowledge graph, "
     "graph rag, faithfulness, corpus",
     "cs.CL cs.IR cs.AI"),
    ("LLM reasoning",
     "reasoning, cot, mathematical reasoning, logical reasoning, reasoning model",
     "math, step by step, test time scaling, overthinking, chain, verification, verifier, "
     "proof, problem solving, thinking, self consistency, reflection, reasoning trace, "
     "puzzle, deductive, inference time, long reasoning, reasoning step, arithmetic, "
     "looped transformer",
     f"{_NLP}"),
    ("Code generation and software engineering",
     "code generation, code, program, software engineering, text to sql, sql",
     "programming, compiler, bug, repository, unit test, software, execution, python, api, "
     "code translation, runtime, debugging, verilog, swe bench, code llm, program synthesis, "
     "executable, developer",
     f"cs.SE cs.PL {_NLP}"),
    ("Clinical and biomedical NLP",
     "clinical, patient, medical, health, ehr, electronic health record",
     "diagnosis, diagnostic, physician, clinician, hospital, disease, biomedical, "
     "radiology report, treatment, healthcare, medicine, drug, care, symptom, "
     "mental health, nurse, comorbidity, triage, digital twin, wearable",
     f"{_NLP} cs.CY cs.HC q-bio.QM"),
    ("Bias, culture and society",
     "bias, fairness, cultural, culture, social, society",
     "stereotype, demographic, gender, political, misinformation, persuasion, ethics, "
     "ethical, value, geographic, moral, opinion, community, human behavior, parasocial, "
     "public, brand, pragmatic, norm, identity, location",
     f"{_NLP} cs.CY cs.HC cs.SI"),
    ("LLM serving and inference efficiency",
     "llm serving, serving, kv cache, speculative decoding, inference efficiency, throughput, "
     "llm inference",
     "prefill, decode, batching, gpu, memory bandwidth, tokens per second, scheduler, "
     "inference engine, vllm, inference cost, inference latency, time to first token, "
     "ttft, cache, offloading, kernel, accelerator, speedup, efficient inference, latency, "
     "early exit, parallel decoding",
     "cs.LG cs.CL cs.DC cs.AI cs.AR cs.PF cs.OS"),
    ("Model compression and quantization",
     "quantization, quantized, pruning, pruned, model compression, knowledge distillation, "
     "low bit",
     "sparsity, sparse, distillation, self distillation, teacher, student, int4, int8, "
     "bit, outlier, compact, lightweight, parameter efficient, low rank, model size, "
     "compressed, compression, weight",
     f"{_ML} cs.CL cs.CV cs.AR"),
    ("Long context and attention",
     "long context, attention, sparse attention, linear attention, state space, mamba, ssm",
     "context window, sequence length, transformer, positional encoding, memory, token, "
     "recurrent, hybrid attention, sliding window, long sequence, context length, "
     "length extrapolation, rope, kv, architecture, positional",
     f"{_ML} cs.CL"),
    ("LLM training and alignment",
     "fine tuning, instruction tuning, alignment, preference optimization, dpo, rlhf, "
     "post training, pretraining",
     "sft, supervised fine tuning, lora, data selection, synthetic data, reward model, "
     "human feedback, preference, pre training, instruction, data mixture, scaling law, "
     "curriculum, self improvement, training data, adaptation, continual learning",
     f"{_NLP}"),
    ("Reinforcement learning",
     "reinforcement learning, rl, policy optimization, reward, markov decision",
     "policy gradient, q learning, mdp, exploration, offline rl, actor critic, "
     "value function, grpo, ppo, rollout, return, trajectory, credit assignment, "
     "on policy, off policy, reward shaping, sample efficiency, bandit, policy",
     f"{_ML} cs.RO cs.CL cs.MA eess.SY"),
    ("LLM agents",
     "agent, agentic, tool use, tool calling, multi agent, web agent, llm agent",
     "planning, gui, computer use, workflow, autonomous agent, environment, orchestration, "
     "skill, memory, browser, function calling, deep research, task completion, "
     "self evolving, action, web navigation, agent framework, trajectory",
     "cs.AI cs.CL cs.MA cs.SE cs.HC cs.IR cs.LG"),
    ("Safety and security",
     "jailbreak, safety, attack, adversarial, backdoor, privacy, security",
     "harmful, red teaming, watermark, unsafe, deception, poisoning, defense, guardrail, "
     "refusal, toxic, misuse, threat, malicious, vulnerability, membership inference, "
     "unlearning, trustworthy, safety alignment, auditing, pseudoscience",
     f"cs.CR {_ML} cs.CL cs.CV cs.CY"),
    ("Interpretability and explainability",
     "interpretability, mechanistic interpretability, explainability, explanation, "
     "attribution, probing",
     "activation, neuron, circuit, sparse autoencoder, feature, representation, layer, "
     "linear probe, saliency map, concept, interpretable, explainable, xai, internal, "
     "hidden state, logit lens, steering vector, explainer, linearly",
     f"{_ML} cs.CL cs.CV"),
    ("Robotics and embodied AI",
     "robot, robotic, manipulation, embodied, navigation, vla, vision language action",
     "grasping, locomotion, control, sim to real, humanoid, dexterous, teleoperation, "
     "imitation learning, demonstration, object goal navigation, mobile, arm, motion, "
     "legged, task planning, physical, robot manipulation, zero shot navigation",
     "cs.RO cs.AI cs.CV cs.LG eess.SY"),
    ("Recommendation and information retrieval",
     "recommendation, recommender, information retrieval, ranking, search engine",
     "user, click, query, collaborative filtering, item, personalization, ctr, retrieval, "
     "dense retrieval, embedding, e commerce, product, session, reranking, relevance, "
     "search",
     f"cs.IR {_ML} cs.CL"),
    ("Speech and audio",
     "speech, audio, asr, speech recognition, spoken, tts, text to speech",
     "speaker, acoustic, sound, music, wav2vec, voice, prosody, tonal, phoneme, "
     "audio visual, spoken language, listening, waveform, whisper, pronunciation",
     "cs.SD eess.AS cs.CL cs.LG cs.MM"),
    ("Graph learning",
     "graph neural network, gnn, graph learning, node classification, link prediction",
     "graph, node, edge, message passing, molecular graph, heterogeneous graph, "
     "graph transformer, subgraph, hypergraph, relational, community detection",
     f"{_ML} cs.SI cs.DB"),
    ("Time series and forecasting",
     "time series, forecasting, forecast",
     "temporal, sensor, traffic forecasting, stock, weather, horizon, seasonal, "
     "multivariate, sequential data, spatio temporal, prediction horizon, signal",
     f"{_ML} eess.SP"),
    ("Federated and distributed learning",
     "federated learning, federated, distributed training, decentralized",
     "client, server, communication, heterogeneity, non iid, aggregation, edge device, "
     "parallelism, peer to peer, gossip, edge, cloud, data parallel, straggler, distributed",
     f"{_ML} cs.DC cs.CR cs.NI"),
    ("Theory and optimization",
     "theorem, convergence, regret, theoretical, optimization, generalization bound",
     "gradient descent, convex, sample complexity, proof, stochastic, lower bound, "
     "upper bound, rate, guarantee, asymptotic, optimal, polynomial, complexity, minimax, "
     "mirror descent, lemma, bound, provably",
     f"{_ML} math.OC cs.IT cs.DS cs.GT math.NA"),
    ("Evaluation and benchmarks",
     "benchmark, evaluation, evaluate, leaderboard, evaluation framework",
     "dataset, metric, judge, human evaluation, annotation, test set, "
     "measuring, rubric, score, assessment, protocol, leakage, contamination, "
     "evaluating, benchmarking",
     ""),
    ("Scientific and engineering computing",
     "finite element, pde, simulation, physics informed, surrogate, computational mechanics",
     "topology optimization, fluid, material, solver, partial differential, numerical, "
     "plasticity, structural, engineering design, inverse problem, differentiable, "
     "scientific machine learning, optimal control, spectral, shape optimization, "
     "metamorphic, mechanical, finite strain, state constrained",
     "cs.CE math.NA physics.comp-ph cs.LG math.OC cs.MS"),
    ("Coding and information theory",
     "channel coding, decoding, channel, capacity, polar code, information theory",
     "bch, ldpc, error correcting, wireless, mimo, communication, rate, entropy, coding, "
     "linear code, ring, codeword, decoder, encoder, modulation, ofdm, receiver, "
     "data compression, kolmogorov, algorithmic information, code, hardware, blind recognition",
     "cs.IT math.IT eess.SP cs.NI"),
    ("Game theory and economics",
     "game theory, equilibrium, nash, mechanism design, auction",
     "stackelberg, player, strategic, welfare, incentive, market, price, payoff, utility, "
     "bargaining, voting, social choice, mean field game, game, commitment",
     "cs.GT cs.MA econ.TH cs.AI"),
    ("Computer graphics and geometry",
     "rendering, mesh, surface, geometry processing, cad, animation",
     "shape, curve, spline, texture, shading, subdivision, parametric, sketch, 3d asset, "
     "geometric, differentiable rendering, vector graphics, font, surface fitting, head",
     "cs.GR cs.CV cs.CG"),
    ("Finance and economics",
     "financial, finance, stock, trading, market",
     "corporate, filing, economic, investment, portfolio, bank, credit, accounting, risk, "
     "asset, price, firm, earnings, consortium, inventory, production",
     "q-fin.ST q-fin.CP q-fin.TR cs.CE cs.AI cs.CL econ.GN"),
    ("AI in education",
     "education, educational, student, teacher, tutoring",
     "grading, marking, curriculum, classroom, exam, course, pedagogical, learner, "
     "assessment, school, university, feedback, essay, admission",
     "cs.CY cs.AI cs.CL cs.HC"),
    ("Quantum machine learning",
     "quantum, qubit, quantum circuit, variational quantum",
     "quantum computing, quantum kernel, hamiltonian, entanglement, quantum machine learning",
     "quant-ph cs.LG cs.ET"),
    ("Knowledge representation and symbolic AI",
     "neurosymbolic, symbolic, logic, ontology, knowledge representation, formal",
     "theorem proving, sat, constraint, first order, type theory, semantics, "
     "knowledge graph, rule, proof, verification, description logic, answer set, homotopy, "
     "schema",
     "cs.AI cs.LO cs.CL"),
    ("Mixture of experts",
     "moe, expert routing, sparse expert",
     "router, routing, gating, load balancing, expert parallelism, top k, experts",
     f"{_ML} cs.CL"),
    ("Human-AI interaction",
     "user study, human ai, interaction, participants, interface",
     "trust, usability, user experience, collaboration, survey, interview, "
     "perception, cognitive, human factors, augmented reality, mixed reality, accessibility",
     "cs.HC cs.AI cs.CY"),
    ("AI for science",
     "scientific discovery, protein, molecule, chemistry, materials, biology, genomics",
     "drug discovery, molecular, hypothesis, experiment, physics, cell, gene, "
     "electrophysiology, pollen, ecology, species, laboratory",
     f"{_ML} q-bio.BM q-bio.QM physics.chem-ph cond-mat.mtrl-sci"),
]  # fmt: skip

# Phrases written several ways, folded to one term before tokenising (one pass, one regex).
_SYNONYMS = {
    r"mixture[\s-]+of[\s-]+experts?": " moe ",
    r"chain[\s-]+of[\s-]+thoughts?": " cot ",
    r"retrieval[\s-]+augmented[\s-]+generation": " rag retrieval augmented ",
    r"large (?:language|vision[\s-]+language) models?": " llm ",
    r"llms?": " llm ",
    r"key[\s-]+value[\s-]+cache": " kv cache ",
    r"state[\s-]+of[\s-]+the[\s-]+art": " ",
    r"x[\s-]+rays?": " x ray ",
    r"vision[\s-]+language[\s-]+action": " vla ",
}
_SYNONYM = re.compile("|".join(rf"\b(?P<s{i}>{p})\b" for i, p in enumerate(_SYNONYMS)))
_REPLACEMENTS = list(_SYNONYMS.values())


def _fold(match: re.Match[str]) -> str:
    return _REPLACEMENTS[int((match.lastgroup or "s0")[1:])]


_WORD = re.compile(r"[a-z0-9]+")
_STOP_TEXT = """a an the of for and or in on to with by from as at is are be we our this that these
    those via into using based its it their than then which while can not no also such both
    each more most new novel proposed propose method methods approach model models framework
    results result show shows paper study work task tasks data performance learning large
    existing two three first one across between over under through without within however
    has have been was were do does how what when where who why they them his her whose all
    any some other only very many much well even further furthermore moreover"""
_STOP = frozenset(_STOP_TEXT.split())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _stemmed(word: str) -> str:
    return "" if word in _STOP else _stem(word)


def terms(text: str) -> list[str]:
    """Stemmed unigrams and the bigrams of adjacent content words."""
    text = _SYNONYM.sub(_fold, text.lower())
    words = [_stemmed(w) for w in _WORD.findall(text)]
    out = [w for w in words if w]
    out += [f"{a} {b}" for a, b in itertools.pairwise(words) if a and b]
    return out


def _phrase_terms(phrase: str) -> list[str]:
    """A vocabulary phrase as terms: one word -> itself; more -> its bigrams, as a paper's
    text makes them ('x ray' -> ['x ray'], 'electronic health record' -> two bigrams)."""
    found = terms(phrase)
    bigrams = [t for t in found if " " in t]
    return bigrams or found


@dataclass(frozen=True)
class Prototypes:
    labels: list[str]
    categories: list[frozenset[str]]
    index: dict[str, int]
    matrix: npt.NDArray[np.float64]  # prototypes x terms, rows L2-normalised
    idf: npt.NDArray[np.float64]


@cache
def prototypes() -> Prototypes:
    rows: list[dict[str, float]] = []
    for _label, core, related, _cats in _PROTOTYPES:
        row: dict[str, float] = {}
        for text, weight in ((related, 1.0), (core, 2.0)):
            for phrase in text.split(","):
                for term in _phrase_terms(phrase):
                    row[term] = max(row.get(term, 0.0), weight)
        rows.append(row)
    index: dict[str, int] = {}
    for row in rows:
        for term in row:
            index.setdefault(term, len(index))
    df = np.zeros(len(index))
    for row in rows:
        for term in row:
            df[index[term]] += 1
    idf = np.log(1 + len(rows) / df)
    matrix = np.zeros((len(rows), len(index)))
    for r, row in enumerate(rows):
        for term, weight in row.items():
            matrix[r, index[term]] = weight * idf[index[term]]
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return Prototypes(
        labels=[p[0] for p in _PROTOTYPES],
        categories=[frozenset(p[3].split()) for p in _PROTOTYPES],
        index=index,
        matrix=matrix,
        idf=idf,
    )


def similarities(title: str, abstract: str) -> npt.NDArray[np.float64]:
    """Cosine similarity of a paper's text to every prototype (in the prototypes' order)."""
    table = prototypes()
    counts: dict[int, float] = {}
    for text, weight in ((title, TITLE_WEIGHT), (abstract, 1)):
        for term in terms(text):
            column = table.index.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0.0) + weight
    if not counts:
        return np.zeros(len(table.labels))
    columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    weights = (1 + np.log(tf)) * table.idf[columns]
    weights /= math.sqrt(float(weights @ weights))
    result: npt.NDArray[np.float64] = table.matrix[:, columns] @ weights
    return result


def category_factors(categories: list[str]) -> npt.NDArray[np.float64]:
    """How far each prototype applies to a paper of these categories (primary first)."""
    table = prototypes()
    primary = categories[0] if categories else ""
    factors = np.ones(len(table.labels))
    others = set(categories[1:])
    for i, cats in enumerate(table.categories):
        factors[i] = PRIORS.get(table.labels[i], 1.0)
        if not cats or not categories or primary in cats:
            continue
        factors[i] *= CROSS_LISTED if others & cats else OUT_OF_CATEGORY
    return factors


def classify(title: str, abstract: str, categories: list[str]) -> tuple[str, float]:
    """(label, fit): the best prototype for the paper, or OTHER when none fits well."""
    table = prototypes()
    scores = similarities(title, abstract) * category_factors(categories)
    best = int(np.argmax(scores))
    fit = float(scores[best])
    return (table.labels[best] if fit >= MIN_SIMILARITY else OTHER), fit


def domain_label(title: str, abstract: str, categories: list[str]) -> str:
    """'Medical imaging (cs.CV)', 'Other (cs.IT)'; the primary category always shown."""
    label, _fit = classify(title, abstract, categories)
    primary = categories[0] if categories else ""
    return f"{label} ({primary})" if primary else label
