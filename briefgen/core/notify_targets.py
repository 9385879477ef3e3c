"""The places a brief is sent to ([notify.NAME] in the config): one model per kind of
target, told apart by `kind`. Nothing secret lives here: webhook URLs, bot tokens and
passwords are read from the environment variables a target names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TELEGRAM_API_URL = "https://api.telegram.org"
NOTIFY_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
KIND = "the kind of target: email, slack, discord, feishu, telegram or webhook"


def notify_env_name(name: str, what: str) -> str:
    """The default variable of a target's secret: BRIEFGEN_NOTIFY_<NAME>_URL (or _TOKEN)."""
    return f"BRIEFGEN_NOTIFY_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}_{what}"


class TargetBase(BaseModel):
    """What every target takes besides its kind; a key of another kind is an error the config
    file is told about, not a key silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    lang: Literal["en", "zh"] | None = Field(
        default=None, description="the brief's language sent (default: the run's first)"
    )
    format: Literal["full", "summary"] = Field(
        default="full", description="the whole brief, or its takeaways and top 5 with a link"
    )


class EmailTarget(TargetBase):
    """A brief sent by email over SMTP."""

    kind: Literal["email"] = Field(description=KIND)
    to: list[str] = Field(default_factory=list, description="recipients")
    sender: str = Field(default="", alias="from", description="the From address")
    smtp_host: str = Field(default="", description="the SMTP server")
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535,
        description="overrides the port (default: 587 starttls, 465 ssl, 25 none)",
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="STARTTLS on a plain connection, SSL from the start, "
        "none; the port follows unless smtp_port overrides it",
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

    @model_validator(mode="after")
    def _complete(self) -> EmailTarget:
        missing = [k for k, v in (("to", self.to), ("from", self.sender),
                                  ("smtp_host", self.smtp_host)) if not v]  # fmt: skip
        if missing:
            raise ValueError(f"an email target needs {', '.join(missing)}")
        if bool(self.username_env) != bool(self.password_env):
            raise ValueError("username_env and password_env go together: give both or none")
        return self

    @property
    def port(self) -> int:
        return self.smtp_port or SMTP_PORTS[self.security]

    def variables(self, name: str) -> dict[str, str]:
        """What this target (called `name`) reads from the environment: role -> variable."""
        if not self.username_env:
            return {}
        return {"username": self.username_env, "password": self.password_env}


class ChatTarget(TargetBase):
    """A chat service or a web service reached by a webhook URL, the whole of the target."""

    url_env: str = Field(
        default="",
        description="variable holding the webhook URL (default: BRIEFGEN_NOTIFY_<NAME>_URL)",
    )

    def variables(self, name: str) -> dict[str, str]:
        return {"url": self.url_env or notify_env_name(name, "URL")}


class WebhookTarget(ChatTarget):
    """A brief posted to Slack, Discord or any webhook."""

    kind: Literal["slack", "discord", "webhook"] = Field(description=KIND)


class FeishuTarget(ChatTarget):
    """A brief posted to a Feishu (Lark) bot, its requests signed if it has a secret."""

    kind: Literal["feishu"] = Field(description=KIND)
    secret_env: str = Field(default="", description="Feishu: variable holding the signing secret")

    def variables(self, name: str) -> dict[str, str]:
        found = super().variables(name)
        return {**found, "secret": self.secret_env} if self.secret_env else found


class TelegramTarget(TargetBase):
    """A brief sent by a Telegram bot to a chat or a channel."""

    kind: Literal["telegram"] = Field(description=KIND)
    token_env: str = Field(
        default="",
        description="Telegram: variable holding the bot token "
        "(default: BRIEFGEN_NOTIFY_<NAME>_TOKEN)",
    )
    chat_id: str = Field(default="", description="Telegram: the chat id or @channelname")
    api_url: str = Field(default=TELEGRAM_API_URL, description="Telegram: the Bot API endpoint")

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _has_a_chat(self) -> TelegramTarget:
        if not self.chat_id:
            raise ValueError("a telegram target needs chat_id (a number or @channelname)")
        return self

    def variables(self, name: str) -> dict[str, str]:
        return {"token": self.token_env or notify_env_name(name, "TOKEN")}


TARGET_MODELS: tuple[type[TargetBase], ...] = (EmailTarget, WebhookTarget, FeishuTarget,
                                               TelegramTarget)  # fmt: skip
NotifyTarget = Annotated[
    EmailTarget | WebhookTarget | FeishuTarget | TelegramTarget, Field(discriminator="kind")
]
