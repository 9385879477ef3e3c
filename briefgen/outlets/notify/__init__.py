"""Notifications: a finished brief sent to its readers — by email (SMTP), or to Slack,
Discord, Feishu/Lark, Telegram or any webhook — each in its service's own format and limits.

`common` holds what they share (the document, its blocks, packing, posting with retries);
one module per kind; `deliver` checks the targets, sends, and records what went.
"""

from briefgen.outlets.notify.common import Document, document_of_brief, document_of_markdown
from briefgen.outlets.notify.deliver import (
    Outcome,
    Target,
    deliver,
    failure_message,
    resolve_targets,
)

__all__ = [
    "Document",
    "Outcome",
    "Target",
    "deliver",
    "document_of_brief",
    "document_of_markdown",
    "failure_message",
    "resolve_targets",
]
