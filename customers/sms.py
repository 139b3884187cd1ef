"""SMS backends, chosen like Django's e-mail backends by a setting (SMS_BACKEND):
- `customers.sms.ConsoleBackend`: logs the message with the number masked (development);
- `customers.sms.FileBackend`: one file per message under SMS_FILE_PATH (the embedded default);
- `customers.sms.HttpBackend`: a provider's JSON API (SMS_PROVIDER_URL, SMS_PROVIDER_KEY):
  POST {url}/messages {"to", "body"} → {"id"}; the provider posts replies to /c/sms/inbound/.
"""

import json
import logging
import secrets
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .selectors import mask_phone

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider refused or could not be reached: the send is recorded as failed."""


class ConsoleBackend:
    def send(self, *, to: str, body: str) -> str:
        log.info("SMS to %s: %s", mask_phone(to), body)
        return f"console-{secrets.token_hex(6)}"


class FileBackend:
    def send(self, *, to: str, body: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        message_id = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
        (folder / f"{message_id}.json").write_text(json.dumps({"to": to, "body": body}, ensure_ascii=False))
        return message_id


class HttpBackend:
    def send(self, *, to: str, body: str) -> str:
        request = urllib.request.Request(  # noqa: S310 (the provider URL is the operator's setting)
            f"{settings.SMS_PROVIDER_URL.rstrip('/')}/messages",
            data=json.dumps({"to": to, "body": body}).encode(),
            headers={
                "Authorization": f"Bearer {settings.SMS_PROVIDER_KEY}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return str(json.loads(response.read() or b"{}").get("id", ""))
        except urllib.error.HTTPError as error:
            raise SmsError(f"provider answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(type(error).__name__) from error


def backend():
    return import_string(settings.SMS_BACKEND)()
