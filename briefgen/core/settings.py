"""Settings: built-in defaults < the TOML config file < BRIEFGEN_* env vars < command-line flags."""

from __future__ import annotations

import difflib
import os
import re
import string
import tomllib
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from briefgen.core.errors import ConfigError, without_pydantic_noise
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


class Profile(BaseModel):
    """An interest profile: what to fetch, how to rank it, how many papers to keep."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES),
        description="arXiv categories; a paper must be in at least one (empty: any)",
    )
    keywords: list[str] = Field(
        default_factory=lambda: list(DEFAULT_KEYWORDS),
        description="include keywords; a title hit weighs more than an abstract hit",
    )
    exclude: list[str] = Field(
        default_factory=list, description="a paper mentioning any of these is dropped"
    )
    max_papers: int = Field(default=30, ge=1, le=2000, description="papers analysed per day")
    min_score: float = Field(
        default=1.0, ge=0, description="papers scoring below this are dropped (0 keeps all)"
    )
    library: list[str] = Field(
        default_factory=list,
        description="papers the ranking learns from: .bib files, zotero:USER/COLLECTION, "
        "text files of arXiv ids or URLs, papers JSON/JSONL (starred papers always join)",
    )
    authors: list[str] = Field(
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


NotifyKind = Literal["email", "slack", "discord", "feishu", "telegram", "webhook"]
CHAT_KINDS = ("slack", "discord", "feishu", "webhook")  # a webhook URL is the whole target
TELEGRAM_API_URL = "https://api.telegram.org"
NOTIFY_NAME = re.compile(r"^[A-Za-z0-9_-]+$")

# The keys each kind of target takes (besides kind, lang and format): anything else is a
# mistake the config file is told about, not a key silently ignored.
NOTIFY_KEYS: dict[str, tuple[str, ...]] = {
    "email": ("to", "from", "smtp_host", "smtp_port", "security", "username_env",
              "password_env", "ca_file", "allow_plaintext_auth"),
    "slack": ("url_env",),
    "discord": ("url_env",),
    "feishu": ("url_env", "secret_env"),
    "telegram": ("token_env", "chat_id", "api_url"),
    "webhook": ("url_env",),
}  # fmt: skip
COMMON_NOTIFY_KEYS = ("kind", "lang", "format")
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


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


def notify_env_name(name: str, what: str) -> str:
    """The default variable of a target's secret: BRIEFGEN_NOTIFY_<NAME>_URL (or _TOKEN)."""
    return f"BRIEFGEN_NOTIFY_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}_{what}"


class NotifyTarget(BaseModel):
    """A named place a brief is sent to ([notify.NAME] in the config). Nothing secret lives
    here: webhook URLs, bot tokens and passwords are read from the environment variables the
    target names."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: NotifyKind = Field(description="email, slack, discord, feishu, telegram or webhook")
    lang: Literal["en", "zh"] | None = Field(
        default=None, description="the brief's language sent (default: the run's first)"
    )
    format: Literal["full", "summary"] = Field(
        default="full", description="the whole brief, or its takeaways and top 5 with a link"
    )
    # email
    to: list[str] = Field(default_factory=list, description="recipients")
    sender: str = Field(default="", alias="from", description="the From address")
    smtp_host: str = Field(default="", description="the SMTP server")
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535, description="default: 587 starttls, 465 ssl, 25 none"
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="STARTTLS on a plain connection, SSL from the start, none"
    )
    username_env: str = Field(default="", description="variable holding the SMTP user name")
    password_env: str = Field(default="", description="variable holding the SMTP password")
    ca_file: Path | None = Field(
        default=None, description="trust this CA bundle for the server's TLS certificate"
    )
    allow_plaintext_auth: bool = Field(
        default=False, description="with security = \"none\", log in to a server on another "
        "host even though the password crosses the network unencrypted",
    )
    # chat
    url_env: str = Field(
        default="", description="variable holding the webhook URL (BRIEFGEN_NOTIFY_NAME_URL)"
    )
    secret_env: str = Field(default="", description="Feishu: variable holding the signing secret")
    token_env: str = Field(
        default="", description="Telegram: variable holding the bot token (…_NAME_TOKEN)"
    )
    chat_id: str = Field(default="", description="Telegram: the chat id or @channelname")
    api_url: str = Field(default=TELEGRAM_API_URL, description="Telegram: the Bot API endpoint")

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _fits_its_kind(self) -> NotifyTarget:
        allowed = set(NOTIFY_KEYS[self.kind]) | set(COMMON_NOTIFY_KEYS)
        given = {_notify_key(name) for name in self.model_fields_set}
        stray = sorted(given - allowed)
        if stray:
            raise ValueError(
                f"{', '.join(stray)} {'is' if len(stray) == 1 else 'are'} not "
                f"{'a setting' if len(stray) == 1 else 'settings'} of a {self.kind} target "
                f"(it takes: {', '.join(sorted(allowed - {'kind'}))})"
            )
        if self.kind == "email":
            missing = [k for k, v in (("to", self.to), ("from", self.sender),
                                      ("smtp_host", self.smtp_host)) if not v]  # fmt: skip
            if missing:
                raise ValueError(f"an email target needs {', '.join(missing)}")
            if bool(self.username_env) != bool(self.password_env):
                raise ValueError("username_env and password_env go together: give both or none")
        if self.kind == "telegram" and not self.chat_id:
            raise ValueError("a telegram target needs chat_id (a number or @channelname)")
        return self

    @property
    def port(self) -> int:
        return self.smtp_port or SMTP_PORTS[self.security]

    def variables(self, name: str) -> dict[str, str]:
        """What this target (called `name`) reads from the environment: role -> variable."""
        if self.kind == "email":
            return ({"username": self.username_env, "password": self.password_env}
                    if self.username_env else {})  # fmt: skip
        if self.kind == "telegram":
            return {"token": self.token_env or notify_env_name(name, "TOKEN")}
        found = {"url": self.url_env or notify_env_name(name, "URL")}
        if self.secret_env:
            found["secret"] = self.secret_env
        return found


def _notify_key(field_name: str) -> str:
    return "from" if field_name == "sender" else field_name


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
    folders: list[Path] = Field(
        default_factory=list,
        description="folders besides the store whose files (papers, libraries) an agent may name",
    )


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: ProviderName = Field(
        default=ProviderName.offline, description="which engine analyses"
    )
    lang: Lang = Field(default=Lang.en, description="language of the brief: en, zh or both")
    profile: str = Field(default="default", description="the interest profile in use")
    profiles: dict[str, Profile] = Field(
        default_factory=lambda: {"default": Profile()},
        description="named interest profiles ([profiles.NAME]), chosen with --profile NAME",
    )

    sources: list[SourceName] = Field(
        default_factory=lambda: [SourceName.arxiv],
        description="where papers come from when --source is not given (arxiv, hf)",
    )
    cross_lists: bool = Field(default=False, description="also take arXiv cross-lists")
    fulltext_budget: int = Field(
        default=12000, ge=500, le=200_000, description="tokens of full text the model reads"
    )
    fulltext_concurrency: int = Field(
        default=4, ge=1, le=8, description="full-text pages fetched at once"
    )
    arxiv_api_url: str = Field(default=ARXIV_API_URL, description="arXiv API endpoint")
    arxiv_rss_url: str = Field(default=ARXIV_RSS_URL, description="arXiv RSS base URL")
    arxiv_html_url: str = Field(default=ARXIV_HTML_URL, description="arXiv HTML base URL")
    hf_api_url: str = Field(default=HF_API_URL, description="Hugging Face daily papers API")
    zotero_api_url: str = Field(default=ZOTERO_API_URL, description="Zotero web API")
    embedding_url: str = Field(
        default=EMBEDDING_URL, description="where the embedding model is downloaded from"
    )
    embedding_model: str = Field(
        default=EMBEDDING_MODEL,
        description="static embedding model (model2vec) for library similarity: a Hugging "
        "Face repository id or a local folder; 'tfidf' uses TF-IDF similarity, no model",
    )
    arxiv_delay_seconds: float = Field(
        default=3.0,
        ge=0,
        description="pause between arXiv API/RSS requests (arXiv asks for at least 3 s; "
        "lower it only for a local mirror)",
    )
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
    contact: str = Field(
        default="", description="an email or URL put in the User-Agent so arXiv can reach you"
    )
    extra_holidays: list[date] = Field(
        default_factory=list, description="more arXiv holidays (listing dates, YYYY-MM-DD)"
    )

    analysis_model: str = Field(default="", description="model per paper ('' = provider default)")
    synthesis_model: str = Field(default="", description="model for synthesis ('' = default)")
    concurrency: int = Field(default=8, ge=1, le=64, description="model calls in flight at once")
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
    front_matter: bool = Field(default=False, description="YAML front matter on markdown")
    front_matter_body_title: bool = Field(
        default=False,
        description="under front matter, also open the body with the title and date headings",
    )
    feed_base_url: str = Field(
        default="", description="where the briefs are published: the feed's entry links"
    )
    feed_title: str = Field(default="AI Paper Insight Briefs", description="the feed's title")
    weekly_max_papers: int = Field(
        default=40, ge=5, le=500, description="papers in a weekly or range roundup"
    )
    batch_poll_seconds: float = Field(
        default=30.0, ge=0, description="how often a Message Batch is polled (--batch)"
    )
    synthesis_batch: int = Field(
        default=40, ge=5, le=500, description="above this many papers, synthesise per cluster"
    )
    model_timeout_seconds: float = Field(
        default=120.0, gt=0, description="per model call (a long paper takes a while)"
    )
    max_output_tokens: int = Field(
        default=4096, ge=256, le=64_000, description="cap on each analysis reply"
    )
    synthesis_max_output_tokens: int = Field(
        default=8192, ge=1024, le=64_000, description="cap on each synthesis reply"
    )
    translation_model: str = Field(
        default="", description="model that translates into Chinese ('' = the analysis model)"
    )
    translation_max_tokens: int = Field(
        default=8192,
        ge=512,
        le=64_000,
        description="cap on each translation reply (texts are sent in chunks well below it)",
    )
    translation_chunk_tokens: int = Field(
        default=1500,
        ge=100,
        le=32_000,
        description="about how many output tokens one translation call is sized for",
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
    prompts_dir: Path | None = Field(default=None, description="your own prompt templates")
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

    @field_validator("daily_filename", "weekly_filename", "report_filename")
    @classmethod
    def _file_name_pattern(cls, value: str) -> str:
        problem = file_pattern_problem(value)
        if problem:
            raise ValueError(problem)
        return value

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
            return self.translation_model or self.model_for("analysis")
        chosen = self.analysis_model if purpose == "analysis" else self.synthesis_model
        analysis_default, synthesis_default = DEFAULT_MODELS[self.provider]
        return chosen or (analysis_default if purpose == "analysis" else synthesis_default)

    def price_of(self, model: str) -> Price | None:
        return self.prices.get(model) or DEFAULT_PRICES.get(model)

    # Where things live; never read from the config file itself.
    home: Path = Field(default=Path("."), exclude=True)
    config_path: Path = Field(default=Path("config.toml"), exclude=True)

    @property
    def active_profile(self) -> Profile:
        return self.profiles[self.profile]


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


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


LIST_SETTINGS = ("sources", "extra_holidays")


def _env_overrides(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level settings, active-profile fields) named by BRIEFGEN_* variables."""
    top: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for key in Settings.model_fields:
        if key in ("profiles", "home", "config_path", "prices", "notify", "mcp"):
            continue
        value = env.get(f"BRIEFGEN_{key.upper()}")
        if value:
            top[key] = _split_list(value) if key in LIST_SETTINGS else value
    for key in ("categories", "keywords", "exclude"):
        if f"BRIEFGEN_{key.upper()}" in env:
            profile[key] = _split_list(env[f"BRIEFGEN_{key.upper()}"])
    if env.get("BRIEFGEN_MAX_PAPERS"):
        profile["max_papers"] = env["BRIEFGEN_MAX_PAPERS"]
    return top, profile


def _read_config_file(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(
                f"config file not found: {path} (create one with `briefgen config init`)"
            )
        return {}
    check_config_file(path)  # another user's, or writable by others: refused
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    profile_overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and flags (None means 'not given')."""
    env = os.environ if env is None else env
    check_home(briefgen_home(env), env)  # a home anyone can plant files in: refused
    explicit = config_path is not None or bool(env.get("BRIEFGEN_CONFIG"))
    path = config_path if config_path is not None else default_config_path(env)
    data = _read_config_file(path, explicit)

    env_top, env_profile = _env_overrides(env)
    data.update(env_top)
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})

    profile_name = str(data.get("profile", "default"))
    profiles = dict(data.get("profiles") or {})
    if profile_name not in profiles and profile_name != "default":
        known = sorted({*profiles, "default"})
        guess = _did_you_mean(profile_name, known)
        raise ConfigError(
            f"profile {profile_name!r} is not defined in {path} (defined: {', '.join(known)})"
            f"{guess + ' Otherwise add' if guess else '; add'} a [profiles.{profile_name}] "
            "table or pick another with --profile"
        )
    active = dict(profiles.get(profile_name) or {})
    active.update(env_profile)
    active.update({k: v for k, v in (profile_overrides or {}).items() if v is not None})
    profiles[profile_name] = active
    data["profiles"] = profiles

    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid settings (from {path}, BRIEFGEN_* variables or flags): "
            f"{'; '.join(describe_settings_errors(exc))}"
        ) from exc
    return settings.model_copy(update={"home": briefgen_home(env), "config_path": path})


def _did_you_mean(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


TOP_LEVEL_KEYS = [k for k in Settings.model_fields if k not in ("home", "config_path")]
PROFILE_KEYS = list(Profile.model_fields)
PRICE_KEYS = list(Price.model_fields)
ALL_NOTIFY_KEYS = sorted({key for keys in NOTIFY_KEYS.values() for key in keys})


def _notify_keys_by_kind() -> str:
    return "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in NOTIFY_KEYS.items())


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """What a key that is not a setting may have meant: a typo of one, or a setting written in
    the wrong table (TOML puts every key after a [table] header into that table)."""
    key = str(loc[-1])
    if len(loc) == 1:
        if key in PROFILE_KEYS:
            return (f"unknown setting; {key} belongs to a profile: put it under "
                    "[profiles.default] (or your profile's table)")  # fmt: skip
        return "unknown setting" + _did_you_mean(key, TOP_LEVEL_KEYS)
    if loc[0] == "profiles" and len(loc) == 3:
        if key in TOP_LEVEL_KEYS:
            return (f"unknown profile setting; {key} is a top-level setting: move it above the "
                    "first [table] of the file")  # fmt: skip
        return "unknown profile setting" + _did_you_mean(key, PROFILE_KEYS)
    if loc[0] == "notify" and len(loc) == 3:
        return (f"unknown notify target setting (common: {', '.join(COMMON_NOTIFY_KEYS)}; "
                f"by kind: {_notify_keys_by_kind()})"
                f"{_did_you_mean(key, [*COMMON_NOTIFY_KEYS, *ALL_NOTIFY_KEYS])}")  # fmt: skip
    if loc[0] == "mcp" and len(loc) == 2:
        keys = list(McpSettings.model_fields)
        return f"unknown [mcp] setting (settings: {', '.join(keys)}){_did_you_mean(key, keys)}"
    if loc[0] == "prices" and len(loc) == 3:
        return (f"unknown price field (fields: {', '.join(PRICE_KEYS)})"
                f"{_did_you_mean(key, PRICE_KEYS)}")  # fmt: skip
    return "not expected here"


def describe_settings_errors(exc: ValidationError) -> list[str]:
    """The settings' validation errors as 'where: what' lines in the words of the config file:
    no pydantic jargon, and a guess for a mistyped key."""
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        where = ".".join(str(part) for part in loc)
        if error["type"] == "extra_forbidden" and loc:
            message = _unknown_key(loc)
        else:
            message = without_pydantic_noise(error["msg"])
        lines.append(f"{where}: {message}" if where else message)
    return lines


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def settings_to_toml(settings: Settings) -> str:
    """The effective settings as a TOML document that `load_settings` reads back."""
    lines = [
        f"{key} = {_toml_value(value)}"
        for key, value in settings.model_dump(
            mode="json", exclude={"profiles", "prices", "notify", "mcp"}
        ).items()
        if value is not None  # TOML has no null: an unset optional key is simply absent
    ]
    for model, price in settings.prices.items():
        lines += ["", f"[prices.{_toml_value(model)}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in price.model_dump().items()]
    for name, profile in settings.profiles.items():
        lines += ["", f"[profiles.{name}]"]
        for key, value in profile.model_dump().items():
            lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[mcp]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in settings.mcp.model_dump(mode="json").items()]
    for name, target in settings.notify.items():
        lines += ["", f"[notify.{name}]"]
        dumped = target.model_dump(mode="json", by_alias=True)
        # Only the keys of its kind (a target of another kind's keys is an error), and no
        # unset optional one (TOML has no null).
        for key in (*COMMON_NOTIFY_KEYS, *NOTIFY_KEYS[target.kind]):
            if dumped.get(key) not in (None, ""):
                lines.append(f"{key} = {_toml_value(dumped[key])}")
    return "\n".join(lines) + "\n"


CONFIG_TEMPLATE_HEADER = """\
# briefgen configuration.
# Precedence: this file < BRIEFGEN_* environment variables < command-line flags.
# provider: the engine that analyses papers ("offline": extractive, no model, no key).
# lang: en, zh or both. profile: the [profiles.NAME] table used unless --profile says otherwise.
# In a profile: categories (a paper must be in one), keywords (title hits weigh more than
# abstract hits), exclude (any hit drops the paper), max_papers, min_score (0 keeps all),
# library (papers you read: .bib files, zotero:USER_ID/COLLECTION_KEY with ZOTERO_API_KEY in
# the environment, text files of arXiv ids, papers JSON/JSONL), authors (followed: always
# selected), keyword_weight / library_weight / upvote_weight (how the score adds up).
# embedding_model: 'tfidf' (the default, no model) or a model2vec model used with TF-IDF.
# sources: arxiv and/or hf when --source is not given. cross_lists: also take arXiv
# cross-lists. fulltext_budget: tokens of each paper's full text the model reads.
# *_url: service endpoints (point them at a mirror or a local server). arxiv_delay_seconds:
# arXiv asks for one request every 3 s. contact: put in the User-Agent so arXiv can reach you.
# extra_holidays: arXiv holidays not yet bundled with briefgen (listing dates).
# provider: offline, anthropic (ANTHROPIC_API_KEY) or openai (OPENAI_API_KEY, any compatible
# endpoint at openai_base_url). analysis_model / synthesis_model: '' uses the provider's
# default. translation_model: '' uses the analysis model; translation_max_tokens caps each
# translation reply and translation_chunk_tokens sizes the chunks sent at once.
# prompt_caching: mark prompts long enough for the API to cache (Anthropic).
# Prices (USD per million tokens) for models briefgen does not know go in a table:
#   [prices."my-model"]
#   input = 0.5
#   output = 1.5
# Notification targets for --notify NAME (none by default), one table each:
#   [notify.me]                       # email over SMTP
#   kind = "email"
#   to = ["you@example.org"]
#   from = "briefgen@example.org"
#   smtp_host = "smtp.example.org"
#   security = "starttls"             # or "ssl" (port 465) or "none"; smtp_port to override
#   username_env = "BRIEFGEN_SMTP_USER"
#   password_env = "BRIEFGEN_SMTP_PASSWORD"
#   [notify.team]                     # slack, discord, feishu or webhook
#   kind = "slack"
#   url_env = "BRIEFGEN_SLACK_URL"    # default: BRIEFGEN_NOTIFY_TEAM_URL
#   format = "summary"                # takeaways and top 5 with a link (feed_base_url)
#   lang = "zh"                       # default: the run's first language
# telegram takes token_env (default BRIEFGEN_NOTIFY_NAME_TOKEN) and chat_id; feishu an
# optional secret_env (signed requests).
# API keys, webhook URLs, bot tokens and passwords are read from the environment only, never
# from this file.
# [mcp]: what `briefgen mcp` lets an agent do. It reads the store; it writes a brief only with
# allow_spending = true, and none estimated above max_cost_per_call (USD); the files it may
# name are the store's and those under folders.

"""


def default_config_text() -> str:
    defaults = Settings()
    return CONFIG_TEMPLATE_HEADER + settings_to_toml(defaults)
