"""Email over SMTP with the standard library: STARTTLS (the default), SSL from the first
byte, or none (a local relay); a login only when the target names the variables that hold it.

One message, multipart/alternative: the markdown brief as text/plain and the HTML page made
from the same brief as text/html, both UTF-8, with an RFC 2047 encoded subject so that a
Chinese title arrives as written.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from briefgen.core.notify_targets import EmailTarget
from briefgen.infra.net import RetryPolicy, capped
from briefgen.outlets.notify.common import DeliveryError, Document


class SmtpBusy(Exception):
    """A reply the server means as 'try again later' (4xx), or a dropped connection."""


IMPLICIT_TLS_PORT = 465
GREETING_SECONDS = 10.0


class NoGreeting(Exception):
    """Connected, but the server said nothing: it expects something else (TLS) first."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no SMTP greeting within {seconds:g} s")
        self.seconds = seconds


def build_message(doc: Document, target: EmailTarget) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = doc.title
    message["From"] = target.sender
    message["To"] = ", ".join(target.to)
    message["Date"] = formatdate(localtime=True)
    domain = target.sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = make_msgid("briefgen", domain=domain)
    # Chinese in quoted-printable triples in size; base64 keeps it to 4/3.
    encoding = "base64" if doc.lang == "zh" else "quoted-printable"
    message.set_content(doc.markdown, subtype="plain", charset="utf-8", cte=encoding)
    message.add_alternative(doc.html, subtype="html", charset="utf-8", cte=encoding)
    # After the content: set_content and add_alternative drop every Content-* header before.
    message["Content-Language"] = "zh-CN" if doc.lang == "zh" else "en"
    return message


def _transient(error: BaseException) -> bool:
    return isinstance(error, SmtpBusy | TimeoutError | ConnectionError)


def send(
    doc: Document,
    target: EmailTarget,
    policy: RetryPolicy,
    service: str,
    login: tuple[str, str] | None,
    timeout: float,
) -> int:
    message = build_message(doc, target)
    context = ssl.create_default_context(
        cafile=str(target.ca_file) if target.ca_file is not None else None
    )

    def attempt() -> None:
        try:
            _deliver(message, target, context, login, capped(timeout))
        except NoGreeting as exc:
            # A server that speaks TLS from the start (465) waits for a handshake and never
            # greets a plain client: no retry or longer timeout would help.
            hint = ("port 465 takes TLS from the start" if target.port == IMPLICIT_TLS_PORT
                    else "if this port takes TLS from the start (usually 465)")  # fmt: skip
            raise DeliveryError(
                f"{service}: {target.smtp_host}:{target.port} accepted the connection but sent "
                f"no SMTP greeting within {exc.seconds:g} s; {hint}, set security = \"ssl\""
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            raise SmtpBusy(f"dropped the connection ({exc})") from exc
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise SmtpBusy(f"answered {exc.smtp_code} {_text(exc.smtp_error)}") from exc
            raise

    try:
        policy.run(service, attempt, _transient, url=f"smtp://{target.smtp_host}:{target.port}")
    except smtplib.SMTPNotSupportedError as exc:
        if "AUTH" in str(exc):  # login() on a server that offers no AUTH
            raise DeliveryError(
                f"{service}: {target.smtp_host} offers no login (SMTP AUTH) on this connection; "
                "remove username_env and password_env if it takes mail without one, or use "
                'security = "starttls" or "ssl" (many servers offer AUTH only over TLS)'
            ) from None
        raise DeliveryError(
            f"{service}: {target.smtp_host} does not offer STARTTLS; set security = \"ssl\" "
            "(port 465) if it takes TLS from the start"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{service}: {target.smtp_host} refused the login ({exc.smtp_code} "
            f"{_text(exc.smtp_error)}); check the user name and password variables"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{who} ({code} {_text(why)})"
                            for who, (code, why) in exc.recipients.items())  # fmt: skip
        raise DeliveryError(f"{service}: the server refused the recipients {refused}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"{service}: the server answered {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{service}: the TLS certificate of {target.smtp_host} is not trusted "
            f"({exc.verify_message}); set ca_file to the CA that signed it"
        ) from None
    except ssl.SSLError as exc:
        if target.security == "ssl" and "WRONG_VERSION_NUMBER" in str(exc).upper():
            raise DeliveryError(
                f"{service}: {target.smtp_host}:{target.port} does not speak TLS from the start; "
                'set security = "starttls" (port 587) to start TLS on the plain connection'
            ) from None
        raise DeliveryError(f"{service}: TLS failed with {target.smtp_host}: {exc}") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{service}: {type(exc).__name__}: {exc}") from None
    return 1


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _deliver(
    message: EmailMessage,
    target: EmailTarget,
    context: ssl.SSLContext,
    login: tuple[str, str] | None,
    timeout: float,
) -> None:
    smtp: smtplib.SMTP
    if target.security == "ssl":
        smtp = smtplib.SMTP_SSL(target.smtp_host, target.port, timeout=timeout, context=context)
    else:
        # The greeting comes at once from a real SMTP server: waiting long for it only delays
        # the error when the port speaks something else (TLS on 465).
        greeting = min(timeout, GREETING_SECONDS)
        try:
            smtp = smtplib.SMTP(target.smtp_host, target.port, timeout=greeting)
        except smtplib.SMTPServerDisconnected as exc:
            # smtplib's word for "connected, then no greeting in time".
            if "timed out" in str(exc):
                raise NoGreeting(greeting) from exc
            raise
        if smtp.sock is not None:
            smtp.sock.settimeout(timeout)
    with smtp:
        smtp.ehlo()
        if target.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if login is not None:
            smtp.login(*login)
        smtp.send_message(message, from_addr=target.sender, to_addrs=list(target.to))
