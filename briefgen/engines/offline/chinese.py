"""The offline brief's own words in Chinese: a static table, no model.

Everything briefgen writes itself (labels, framing, domain names) is Chinese; the papers' own
sentences stay in English, quoted 「…」, because translating them would take a model.
"""

from __future__ import annotations

DOMAINS_ZH = {
    "AI for science": "科学智能",
    "AI in education": "教育中的 AI",
    "Autonomous driving": "自动驾驶",
    "Bias, culture and society": "偏见、文化与社会",
    "Clinical and biomedical NLP": "临床与生物医学 NLP",
    "Code generation and software engineering": "代码生成与软件工程",
    "Coding and information theory": "编码与信息论",
    "Computer graphics and geometry": "计算机图形与几何",
    "Document understanding and OCR": "文档理解与 OCR",
    "Evaluation and benchmarks": "评测与基准",
    "Federated and distributed learning": "联邦与分布式学习",
    "Finance and economics": "金融与经济",
    "Game theory and economics": "博弈论与经济",
    "Graph learning": "图学习",
    "Human-AI interaction": "人机交互",
    "Image and video generation": "图像与视频生成",
    "Image restoration and enhancement": "图像复原与增强",
    "Interpretability and explainability": "可解释性",
    "Knowledge representation and symbolic AI": "知识表示与符号 AI",
    "LLM agents": "LLM 智能体",
    "LLM reasoning": "LLM 推理能力",
    "LLM serving and inference efficiency": "LLM 服务与推理效率",
    "LLM training and alignment": "LLM 训练与对齐",
    "Long context and attention": "长上下文与注意力",
    "Machine translation": "机器翻译",
    "Medical imaging": "医学影像",
    "Mixture of experts": "混合专家",
    "Model compression and quantization": "模型压缩与量化",
    "Multilingual and low-resource NLP": "多语言与低资源 NLP",
    "Other": "其他",
    "Quantum machine learning": "量子机器学习",
    "Question answering and RAG": "问答与 RAG",
    "Recommendation and information retrieval": "推荐与信息检索",
    "Reinforcement learning": "强化学习",
    "Remote sensing and earth observation": "遥感与对地观测",
    "Robotics and embodied AI": "机器人与具身智能",
    "Safety and security": "安全",
    "Scientific and engineering computing": "科学与工程计算",
    "Segmentation and detection": "分割与检测",
    "Speech and audio": "语音与音频",
    "Theory and optimization": "理论与优化",
    "Time series and forecasting": "时间序列与预测",
    "Vision-language models": "视觉语言模型",
    "3D vision and video understanding": "三维视觉与视频理解",
}

KINDS_ZH = {
    "method": "方法",
    "study": "研究",
    "benchmark": "基准",
    "survey": "综述",
    "position": "立场文章",
    "shared task": "评测任务",
}


def domain_zh(label: str) -> str:
    """'LLM agents (cs.AI)' -> 'LLM 智能体（cs.AI）'; an unknown label stays as it is."""
    name, _, rest = label.partition(" (")
    chinese = DOMAINS_ZH.get(name, name)
    return f"{chinese}（{rest.rstrip(')')}）" if rest else chinese


def quote_zh(sentence: str) -> str:
    return f"「{sentence}」"


def join_zh(items: list[str]) -> str:
    """'A', 'A 和 B', 'A、B 和 C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{'、'.join(items[:-1])} 和 {items[-1]}"
