"""Settings: built-in defaults < the TOML config file < BRIEFGEN_* env vars < command-line flags."""

from __future__ import annotations

import os
import string
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import platformdirs
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from briefgen.core.errors import ConfigError
from briefgen.core.notify_targets import NOTIFY_NAME, NotifyTarget
from briefgen.core.settings_errors import Layout, describe_settings_errors, did_you_mean
from briefgen.core.settings_moved import move_flat_keys, move_flat_variables
from briefgen.core.trust import check_config_file, check_home

APP_NAME = "briefgen"

# These categories and keywords (LLM efficiency and ML systems) make a sensible default for an
# ML-systems reader and are the profile the bundled example papers were picked with.
DEFAULT_CATEGORIES = ["cs.AI", "cs.CL", "cs.DC", "cs.LG"]
ZOTERO_API_URL = "https://api.zotero.org"
EMBEDDING_URL = "https://huggingface.co"
# TF-IDF by default: no download, no network, and on judged days it ranked as well as the
# static embedding models tried (a model2vec model is an option; see README).
EMBEDDING_MODEL = "tfidf"

# The default profile's interests (LLM systems and efficiency), as specific phrases: generic words
# such as "framework", "system", "network" or "training" match half of arXiv and rank nothing.
# Keywords count by their rarity on arXiv (select/keywords.py), so "LLM" weighs little; a
# generic word counts only in a paper about language models ("GPU + LLM"; "LLM" also matches
# "large language model(s)"), RL not in games, finance or EV charging, and "causal inference"
# is not "inference". Measured by benchmarks/bench_relevance.py.
DEFAULT_KEYWORDS = [
    "kv cache", "offload", "long context", "context window", "sparse attention",
    "linear attention", "sliding window attention", "state space model", "mixture of experts",
    "speculative decoding", "quantization + LLM", "low-bit", "FP8", "FP4", "pruning + LLM",
    "distillation + LLM", "early exit", "efficient reasoning", "overthinking",
    "diffusion language model", "inference + LLM", "serving + LLM", "prefill", "decoding + LLM",
    "throughput + LLM", "latency + LLM", "GPU + LLM", "CUDA", "distributed training",
    "parallelism + LLM", "memory efficient", "RLHF", "LLM",
    "RL - game|StarCraft|Atari|poker|portfolio|trading|stock|charging|electric vehicle|robot",
]

# The option vocabularies, defined once: settings validate them and the CLI offers them.
class Lang(StrEnum):
    en = "en"
    zh = "zh"
    both = "both"


class ProviderName(StrEnum):
    offline = "offline"
    anthropic = "anthropic"
    openai = "openai"


class SourceName(StrEnum):
    arxiv = "arxiv"
    hf = "hf"
    file = "file"


StructuredMode = Literal["output_config", "tool"]

ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_RSS_URL = "https://rss.arxiv.org/rss/"
ARXIV_HTML_URL = "https://arxiv.org/html/"
HF_API_URL = "https://huggingface.co/api/daily_papers"
OPENAI_BASE_URL = "https://api.openai.com/v1"

# A fast, cheap model reads each paper; a stronger one writes the synthesis.
DEFAULT_MODELS: dict[str, tuple[str, str]] = {
    "anthropic": ("claude-haiku-4-5", "claude-sonnet-4-6"),
    "openai": ("gpt-4o-mini", "gpt-4o"),
    "offline": ("offline-extractive", "offline-extractive"),
}


class Price(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, description="input tokens")
    output: float = Field(ge=0, description="output tokens")
    cache_read: float = Field(default=0.0, ge=0, description="input tokens read from the cache")
    cache_write: float = Field(
        default=0.0, ge=0, description="input tokens written to the cache"
    )


# List prices when this was written; a config file's [prices."MODEL"] table overrides them.
DEFAULT_PRICES: dict[str, Price] = {
    "claude-haiku-4-5": Price(input=1.0, output=5.0, cache_read=0.10, cache_write=1.25),
    "claude-sonnet-4-6": Price(input=3.0, output=15.0, cache_read=0.30, cache_write=3.75),
    "claude-sonnet-4-5": Price(input=3.0, output=15.0, cache_read=0.30, cache_write=3.75),
    "claude-opus-4-5": Price(input=5.0, output=25.0, cache_read=0.50, cache_write=6.25),
    "gpt-4o-mini": Price(input=0.15, output=0.60, cache_read=0.075),
    "gpt-4o": Price(input=2.50, output=10.0, cache_read=1.25),
}


@lru_cache(maxsize=1)
def arxiv_categories() -> dict[str, str]:
    """lower-case code -> the code as arXiv writes it, from briefgen/data/arxiv_categories.txt."""
    text = resources.files("briefgen").joinpath("data/arxiv_categories.txt").read_text("utf-8")
    codes = [c for line in text.splitlines() if not line.startswith("#") for c in line.split()]
    return {code.lower(): code for code in codes}


def unknown_categories(categories: list[str]) -> list[str]:
    known = arxiv_categories()
    return [c for c in categories if c.lower() not in known]


def category_help(unknown: list[str]) -> str:
    groups = sorted({code.split(".")[0] for code in arxiv_categories().values()})
    close = sorted(
        {code for code in arxiv_categories().values()
         for bad in unknown if code.lower().startswith(bad.lower().split(".")[0] + ".")}
    )  # fmt: skip
    listed = ", ".join(close[:40]) if close else "groups: " + ", ".join(groups)
    return (
        f"unknown arXiv categor{'y' if len(unknown) == 1 else 'ies'} "
        f"{', '.join(repr(u) for u in unknown)}; valid ones include {listed} "
        "(all: https://arxiv.org/category_taxonomy)"
    )


def comma_list(value: object) -> object:
    """A list given as text (a BRIEFGEN_* variable): its comma-separated items."""
    return comma_items(value) if isinstance(value, str) else value


def comma_items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


_Item = TypeVar("_Item")
# A list setting that a BRIEFGEN_* variable may give as comma-separated text
# (BRIEFGEN_SOURCES__USE=arxiv,hf, BRIEFGEN_PROFILES__WORK__LIBRARY=a.bib,b.bib); NoDecode keeps
# pydantic-settings from reading that text as JSON first.
CommaList = Annotated[list[_Item], NoDecode, BeforeValidator(comma_list)]


class Profile(BaseModel):
    """An interest profile: what to fetch, how to rank it, how many papers to keep."""

    model_config = ConfigDict(extra="forbid")

    categories: CommaList[str] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES),
        description="arXiv categories; a paper must be in at least one (empty: any)",
    )
    keywords: CommaList[str] = Field(
        default_factory=lambda: list(DEFAULT_KEYWORDS),
        description="include keywords; a title hit weighs more than an abstract hit",
    )
    exclude: CommaList[str] = Field(
        default_factory=list, description="a paper mentioning any of these is dropped"
    )
    max_papers: int = Field(
        default=30, ge=1, le=2000, description="how many papers to analyse (a day)"
    )
    min_score: float = Field(
        default=1.0, ge=0, description="papers scoring below this are dropped (0 keeps all)"
    )
    library: CommaList[str] = Field(
        default_factory=list,
        description="papers the ranking learns from: .bib files, zotero:USER/COLLECTION "
        "(needs ZOTERO_API_KEY in the environment), text files of arXiv ids or URLs, papers "
        "JSON/JSONL (starred papers always join)",
    )
    authors: CommaList[str] = Field(
        default_factory=list,
        description="authors to follow: their papers are always selected and marked",
    )
    keyword_weight: float = Field(
        default=1.0, ge=0, description="weight of keyword hits (a rare keyword counts more)"
    )
    library_weight: float = Field(
        default=10.0, ge=0, description="weight of similarity to the library (the day's most "
        "similar paper gets the full weight)",
    )
    upvote_weight: float = Field(
        default=0.5, ge=0, description="weight per doubling of Hugging Face upvotes"
    )

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = unknown_categories(value)
        if unknown:
            raise ValueError(category_help(unknown))
        return [arxiv_categories()[c.lower()] for c in value]


FILE_NAME_FIELDS = ("date", "period", "start", "end", "lang", "ext")


def file_pattern_problem(pattern: str) -> str | None:
    """What is wrong with a daily_filename-style pattern, or None: it may use only its own
    fields, plainly ({date}, not {date.x} or {date:>999}), and must name a file inside the
    output folder (no '..', no absolute path)."""
    fields = ", ".join("{" + name + "}" for name in FILE_NAME_FIELDS)
    try:
        pieces = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return (f"{pattern!r} is not a file name pattern ({exc}); the fields are {fields}, "
                "and a literal brace is written {{ or }}")  # fmt: skip
    sample = ""
    for text, name, spec, conversion in pieces:
        sample += text
        if name is None:
            continue
        if name not in FILE_NAME_FIELDS or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return f"{pattern!r} uses {{{shown}}}; the fields are {fields}, written plainly"
        sample += "x"
    parts = sample.replace("\\", "/").split("/")
    if not sample.strip() or sample.endswith("/"):
        return f"{pattern!r} names no file; e.g. {{date}}-brief.{{lang}}.{{ext}}"
    if sample.startswith(("/", "\\", "~")) or ".." in parts or "\\" in sample or "\x00" in sample:
        return (f"{pattern!r} leaves the output folder; a pattern names a file inside "
                "--output-dir (sub-folders with '/' are fine; no '..', no leading '/' or '~', "
                "no backslash)")  # fmt: skip
    return None


class McpSettings(BaseModel):
    """`briefgen mcp` ([mcp] in the config): what an agent may do through the MCP server.
    Reading the store is always allowed; writing a new brief (and spending on a model) only
    when `allow_spending` says so, and no call above `max_cost_per_call`."""

    model_config = ConfigDict(extra="forbid")

    allow_spending: bool = Field(
        default=False,
        description="let an agent write a new brief (a model call costs money); else it gets "
        "the --dry-run estimate",
    )
    max_cost_per_call: float = Field(
        default=0.5, ge=0, description="USD: a brief estimated above this is not written"
    )
    folders: CommaList[Path] = Field(
        default_factory=list,
        description="folders besides the store whose files (papers, libraries) an agent may name",
    )


class SourcesSettings(BaseModel):
    """Where papers come from and how they are fetched, full text included ([sources])."""

    model_config = ConfigDict(extra="forbid")

    use: CommaList[SourceName] = Field(
        default_factory=lambda: [SourceName.arxiv],
        description="where papers come from when --source is not given (arxiv, hf)",
    )
    cross_lists: bool = Field(
        default=False, description="also take papers cross-listed into the categories"
    )
    arxiv_api_url: str = Field(default=ARXIV_API_URL, description="arXiv API endpoint")
    arxiv_rss_url: str = Field(default=ARXIV_RSS_URL, description="arXiv RSS base URL")
    arxiv_html_url: str = Field(default=ARXIV_HTML_URL, description="arXiv HTML base URL")
    hf_api_url: str = Field(default=HF_API_URL, description="Hugging Face daily papers API")
    arxiv_delay_seconds: float = Field(
        default=3.0,
        ge=0,
        description="pause between arXiv API/RSS requests (arXiv asks for at least 3 s; "
        "lower it only for a local mirror)",
    )
    contact: str = Field(
        default="", description="an email or URL put in the User-Agent so arXiv can reach you"
    )
    extra_holidays: CommaList[date] = Field(
        default_factory=list, description="more arXiv holidays (listing dates, YYYY-MM-DD)"
    )
    fulltext_budget: int = Field(
        default=12000, ge=500, le=200_000, description="tokens of full text the model reads"
    )
    fulltext_concurrency: int = Field(
        default=4, ge=1, le=8, description="full-text pages fetched at once"
    )


class SelectionSettings(BaseModel):
    """How the day's papers are ranked against your library ([selection])."""

    model_config = ConfigDict(extra="forbid")

    embedding_model: str = Field(
        default=EMBEDDING_MODEL,
        description="static embedding model (model2vec) for library similarity: a Hugging "
        "Face repository id or a local folder; 'tfidf' uses TF-IDF similarity, no model",
    )
    embedding_url: str = Field(
        default=EMBEDDING_URL, description="where the embedding model is downloaded from"
    )
    zotero_api_url: str = Field(default=ZOTERO_API_URL, description="Zotero web API")
    weekly_max_papers: int = Field(
        default=40, ge=5, le=500, description="papers in a weekly or range roundup"
    )


class NetworkSettings(BaseModel):
    """How long a request to a web service may take, and how often it is tried ([network])."""

    model_config = ConfigDict(extra="forbid")

    http_timeout_seconds: float = Field(
        default=30.0, gt=0, description="per-request timeout for an answer (10 s to connect)"
    )
    service_deadline_seconds: float = Field(
        default=25.0, gt=0, description="a request to arXiv, Hugging Face, a chat service or "
        "Zotero, retries included, ends within this many seconds"
    )
    http_retries: int = Field(
        default=4, ge=1, le=10, description="attempts per request before giving up"
    )
    retry_wait_seconds: float = Field(
        default=2.0, ge=0, description="first wait before a retry; doubles each time"
    )


class ModelSettings(BaseModel):
    """The models that read the papers and write the brief, and how they are called
    ([model]; the provider is chosen at the top level)."""

    model_config = ConfigDict(extra="forbid")

    analysis_model: str = Field(
        default="", description="the model that reads each paper ('' = the provider's default)"
    )
    synthesis_model: str = Field(default="", description="model for synthesis ('' = default)")
    concurrency: int = Field(default=8, ge=1, le=64, description="model calls in flight at once")
    batch_poll_seconds: float = Field(
        default=30.0, ge=0, description="how often a Message Batch is polled (--batch)"
    )
    synthesis_batch: int = Field(
        default=40, ge=5, le=500, description="above this many papers, synthesise per cluster"
    )
    timeout_seconds: float = Field(
        default=120.0, gt=0, description="per model call (a long paper takes a while)"
    )
    max_output_tokens: int = Field(
        default=4096, ge=256, le=64_000, description="cap on each analysis reply"
    )
    synthesis_max_output_tokens: int = Field(
        default=8192, ge=1024, le=64_000, description="cap on each synthesis reply"
    )
    prompt_caching: bool = Field(
        default=True,
        description="mark prompt prefixes long enough for the API to cache (Anthropic)",
    )
    anthropic_structured: StructuredMode = Field(
        default="output_config",
        description="how Anthropic is asked for JSON: structured outputs (output_config), or "
        "forced tool use (tool) for models or proxies without them",
    )
    openai_base_url: str = Field(
        default=OPENAI_BASE_URL, description="any OpenAI-compatible endpoint (Ollama, vLLM, …)"
    )
    prompts_dir: Path | None = Field(
        default=None, description="a folder with your own prompt templates (see prompts/)"
    )


class TranslationSettings(BaseModel):
    """How the brief is translated into Chinese ([translation])."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default="", description="model that translates into Chinese ('' = the analysis model)"
    )
    max_tokens: int = Field(
        default=8192,
        ge=512,
        le=64_000,
        description="cap on each translation reply (texts are sent in chunks well below it)",
    )
    chunk_tokens: int = Field(
        default=1500,
        ge=100,
        le=32_000,
        description="about how many output tokens one translation call is sized for",
    )


class OutputSettings(BaseModel):
    """The files --output-dir writes and the feed ([output])."""

    model_config = ConfigDict(extra="forbid")

    daily_filename: str = Field(
        default="{date}-brief.{lang}.{ext}", description="--output-dir file name of a day"
    )
    weekly_filename: str = Field(
        default="{end}-roundup-{period}.{lang}.{ext}",
        description="--output-dir file name of a roundup (starts with its last day, its "
        "date: Jekyll files posts by that prefix)",
    )
    report_filename: str = Field(
        default="{date}-report.{lang}.{ext}",
        description="--output-dir file name of `briefgen analyze`'s per-paper report",
    )
    front_matter: bool = Field(
        default=False, description="start markdown with YAML front matter (Hugo, Jekyll)"
    )
    front_matter_body_title: bool = Field(
        default=False,
        description="under front matter, also open the body with the title and date headings",
    )
    feed_base_url: str = Field(
        default="", description="where the briefs are published: the feed's entry links"
    )
    feed_title: str = Field(default="AI Paper Insight Briefs", description="the feed's title")

    @field_validator("daily_filename", "weekly_filename", "report_filename")
    @classmethod
    def _file_name_pattern(cls, value: str) -> str:
        problem = file_pattern_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class StoreSettings(BaseModel):
    """Where things live: set by BRIEFGEN_HOME, BRIEFGEN_CONFIG and --config, never read from
    the config file."""

    model_config = ConfigDict(extra="forbid")

    home: Path = Field(default=Path("."), description="the store's folder (BRIEFGEN_HOME)")
    config_path: Path = Field(default=Path("config.toml"), description="the config file read")


class Settings(BaseSettings):
    """Everything a run is configured by: built-in defaults < the config file < BRIEFGEN_*
    variables (BRIEFGEN_SOURCES__ARXIV_API_URL for a grouped key) < command-line flags."""

    model_config = SettingsConfigDict(
        extra="forbid", env_prefix="BRIEFGEN_", env_nested_delimiter="__"
    )

    provider: ProviderName = Field(
        default=ProviderName.offline,
        description="which engine analyses: offline (no key), anthropic (ANTHROPIC_API_KEY) or "
        "openai (OPENAI_API_KEY; any compatible API at [model] openai_base_url)",
    )
    lang: Lang = Field(default=Lang.en, description="language of the brief: en, zh or both")
    profile: str = Field(
        default="default", description="the interest profile in use ([profiles.NAME])"
    )
    profiles: dict[str, Profile] = Field(
        default_factory=lambda: {"default": Profile()},
        description="named interest profiles ([profiles.NAME]), chosen with --profile NAME",
    )
    sources: SourcesSettings = Field(
        default_factory=SourcesSettings, description="where papers come from ([sources])"
    )
    selection: SelectionSettings = Field(
        default_factory=SelectionSettings, description="how papers are ranked ([selection])"
    )
    network: NetworkSettings = Field(
        default_factory=NetworkSettings, description="timeouts and retries ([network])"
    )
    model: ModelSettings = Field(
        default_factory=ModelSettings, description="the models and their calls ([model])"
    )
    translation: TranslationSettings = Field(
        default_factory=TranslationSettings, description="the Chinese translation ([translation])"
    )
    output: OutputSettings = Field(
        default_factory=OutputSettings, description="file names and the feed ([output])"
    )
    prices: dict[str, Price] = Field(
        default_factory=dict, description="USD per million tokens, by model (adds to defaults)"
    )
    notify: dict[str, NotifyTarget] = Field(
        default_factory=dict,
        description="named targets a brief is sent to with --notify NAME ([notify.NAME])",
    )
    mcp: McpSettings = Field(
        default_factory=McpSettings, description="what `briefgen mcp` lets an agent do ([mcp])"
    )
    store: StoreSettings = Field(default_factory=StoreSettings, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Settings() alone is briefgen's own defaults (what --help compares against): the
        # environment and the config file are read only by load_settings, for one call.
        return (init_settings, *_LOADING.get())

    @field_validator("notify")
    @classmethod
    def _notify_names(cls, value: dict[str, NotifyTarget]) -> dict[str, NotifyTarget]:
        bad = [name for name in value if not NOTIFY_NAME.match(name)]
        if bad:
            raise ValueError(
                f"target name {bad[0]!r}: use letters, digits, '-' and '_' only "
                "(it names the target on the command line and in variable names)"
            )
        return value

    def model_for(self, purpose: Literal["analysis", "synthesis", "translation"]) -> str:
        if purpose == "translation":
            return self.translation.model or self.model_for("analysis")
        chosen = (self.model.analysis_model if purpose == "analysis"
                  else self.model.synthesis_model)  # fmt: skip
        analysis_default, synthesis_default = DEFAULT_MODELS[self.provider]
        return chosen or (analysis_default if purpose == "analysis" else synthesis_default)

    def price_of(self, model: str) -> Price | None:
        return self.prices.get(model) or DEFAULT_PRICES.get(model)

    @property
    def active_profile(self) -> Profile:
        return self.profiles[self.profile]


# The sources load_settings adds to the flags for the one Settings it is building.
_LOADING: ContextVar[tuple[PydanticBaseSettingsSource, ...]] = ContextVar("_LOADING", default=())


def briefgen_home(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("BRIEFGEN_HOME"):
        return Path(env["BRIEFGEN_HOME"]).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("BRIEFGEN_CONFIG"):
        return Path(env["BRIEFGEN_CONFIG"]).expanduser()
    if env.get("BRIEFGEN_HOME"):
        # A self-contained home (tests, CI, a second setup) keeps its config beside its store.
        return briefgen_home(env) / "config.toml"
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _read_config_file(path: Path) -> dict[str, Any]:
    """The TOML of a config file (none yet: nothing), read only once the trust checks pass.
    Read here, not by pydantic-settings' TOML source, which passes over a path that is not a
    regular file in silence: a directory given by mistake, or /dev/stdin given on purpose."""
    if not path.exists():
        return {}
    check_config_file(path)  # another user's, or writable by others: refused
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc


class ConfigFile(InitSettingsSource):
    """The config file as a settings source, its old top-level keys moved into their tables
    (one warning each)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        data = _read_config_file(path)
        if "store" in data:
            raise ConfigError(f"config file {path}: store is not a setting of the file (where "
                              "things live is set by BRIEFGEN_HOME and --config)")  # fmt: skip
        self.data = move_flat_keys(data, path.name)
        if not isinstance(self.data.get("profiles", {}), dict):  # else the flags' would hide it
            raise ConfigError(f"invalid settings (from {path}): profiles: "
                              f"{Layout(settings_cls).table_given_a_value('profiles')}")
        super().__init__(settings_cls, self.data)


class Variables(EnvSettingsSource):
    """The BRIEFGEN_* variables of the mapping load_settings was given (the process's
    environment, or a test's), old flat names moved (one warning each)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        layout = Layout(settings_cls)
        for name, value in env.items():
            table = name.lower().removeprefix("briefgen_")
            if name.upper().startswith("BRIEFGEN_") and value and not _json_or_old(table, value):
                problem = layout.variable_for_table(table)
                if problem:
                    raise ConfigError(f"{name}: {problem}")
        # env_vars is what this source reads its values from (lower-case names, as pydantic-
        # settings keeps them unless case-sensitive); empty means unset, as it always did. The
        # store is BRIEFGEN_HOME's and BRIEFGEN_CONFIG's: a BRIEFGEN_STORE variable sets nothing.
        self.env_vars = {k.lower(): v for k, v in move_flat_variables(env).items()
                         if v and k.lower().partition("__")[0] != "briefgen_store"}


def _json_or_old(table: str, value: str) -> bool:
    """Whether a variable named after a table holds the table (as JSON), or is BRIEFGEN_SOURCES
    as it was before the grouping, the list of sources."""
    if value.lstrip().startswith("{"):
        return True
    return table == "sources" and all(item in set(SourceName) for item in comma_items(value))


# The active profile's values a BRIEFGEN_* variable sets (BRIEFGEN_MAX_PAPERS); the lists
# comma-separated, and an empty one meant (BRIEFGEN_CATEGORIES= takes any category).
PROFILE_LISTS = ("categories", "keywords", "exclude")
PROFILE_VARIABLES = (*PROFILE_LISTS, "max_papers")


def _profile_variables(env: Mapping[str, str]) -> dict[str, Any]:
    named = {name.upper(): value for name, value in env.items()}  # any case, as the rest
    found: dict[str, Any] = {key: comma_list(named[f"BRIEFGEN_{key.upper()}"])
                             for key in PROFILE_LISTS if f"BRIEFGEN_{key.upper()}" in named}
    if named.get("BRIEFGEN_MAX_PAPERS"):
        found["max_papers"] = named["BRIEFGEN_MAX_PAPERS"]
    return found


def _given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values a flag gave (None means 'not given'), nested tables included."""
    return {key: _given(value) if isinstance(value, Mapping) else value
            for key, value in values.items() if value is not None}  # fmt: skip


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    profile_overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and flags. `overrides` is nested as
    the settings are ({"model": {"concurrency": 2}}); None means 'not given'."""
    env = os.environ if env is None else env
    check_home(briefgen_home(env), env)  # a home anyone can plant files in: refused
    explicit = config_path is not None or bool(env.get("BRIEFGEN_CONFIG"))
    path = config_path if config_path is not None else default_config_path(env)
    if explicit and not path.exists():
        raise ConfigError(f"config file not found: {path} (create one with `briefgen config init`)")
    config_file = ConfigFile(Settings, path)
    variables = Variables(Settings, env)

    flags = _given(overrides or {})
    profile_name = str(flags.get("profile") or env.get("BRIEFGEN_PROFILE")
                       or config_file.data.get("profile") or "default")  # fmt: skip
    defined = config_file.data.get("profiles") or {}
    if profile_name not in defined and profile_name != "default":
        known = sorted({*defined, "default"})
        guess = did_you_mean(profile_name, known)
        raise ConfigError(
            f"profile {profile_name!r} is not defined in {path} (defined: {', '.join(known)})"
            f"{guess + ' Otherwise add' if guess else '; add'} a [profiles.{profile_name}] "
            "table or pick another with --profile"
        )
    # The profile variables and flags are values of the active profile, over the file's.
    active = {**_profile_variables(env), **_given(profile_overrides or {})}
    flags["profiles"] = {profile_name: active}
    flags["store"] = {"home": briefgen_home(env), "config_path": path}

    loading = _LOADING.set((variables, config_file))
    try:
        return Settings(**flags)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid settings (from {path}, BRIEFGEN_* variables or flags): "
            f"{'; '.join(describe_settings_errors(exc, Settings))}"
        ) from exc
    except SettingsError as exc:  # a variable holding a table that is not JSON
        raise ConfigError(f"invalid BRIEFGEN_* variable: {exc}") from exc
    finally:
        _LOADING.reset(loading)
