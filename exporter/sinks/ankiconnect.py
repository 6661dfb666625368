"""A small AnkiConnect client (API version 6): one JSON POST per request, `multi` for batches."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6
# Actions per `multi` request: large enough that 10 000 notes take a few dozen round
# trips, small enough that one request stays well under AnkiConnect's timeouts.
BATCH_SIZE = 500
TIMEOUT_SECONDS = 120.0
ADDON_CODE = "2055492159"


class AnkiConnectError(Exception):
    """Anki could not be reached or refused a request; the message says what to do."""


class ActionFailed(AnkiConnectError):
    """Anki refused one action of a `multi`; the `completed` actions before it took effect."""

    def __init__(self, message: str, completed: int):
        super().__init__(message)
        self.completed = completed


@dataclass(frozen=True)
class Action:
    name: str
    params: dict[str, Any]

    def request(self, api_key: str | None) -> dict[str, Any]:
        # Each sub-action of a multi says version 6 too, so its failure comes back as
        # {"result": null, "error": "..."} rather than a bare null (version 4's shape),
        # and carries the key: the add-on checks it again for every sub-action.
        request = {"action": self.name, "version": API_VERSION, "params": self.params}
        return request if api_key is None else {**request, "key": api_key}


@dataclass(frozen=True)
class AnkiConnect:
    url: str = DEFAULT_URL
    api_key: str | None = None
    timeout: float = TIMEOUT_SECONDS

    def invoke(self, name: str, **params: Any) -> Any:
        return self._unwrap(self._post(Action(name, params).request(self.api_key)), name)

    def multi(self, actions: list[Action]) -> list[Any]:
        """Results in order; the first action Anki refused raises (those before it took effect)."""
        replies = self.invoke("multi", actions=[a.request(self.api_key) for a in actions])
        if not isinstance(replies, list) or len(replies) != len(actions):
            raise AnkiConnectError(f"{self.url}: `multi` answered {len(replies or [])} results "
                                   f"for {len(actions)} actions")
        results = []
        for reply, action in zip(replies, actions, strict=True):
            try:
                results.append(self._unwrap(reply, action.name))
            except AnkiConnectError as exc:
                raise ActionFailed(str(exc), len(results)) from exc
        return results

    def batched(self, actions: Iterable[Action], done: Callable[[int], None] | None = None) -> list[Any]:
        """Run many actions in `multi` requests of BATCH_SIZE; `done(n)` after each request."""
        results: list[Any] = []
        pending = list(actions)
        for start in range(0, len(pending), BATCH_SIZE):
            chunk = pending[start:start + BATCH_SIZE]
            results.extend(self.multi(chunk))
            if done:
                done(len(chunk))
        return results

    def check_version(self) -> int:
        version = self.invoke("version")
        if not isinstance(version, int) or version < API_VERSION:
            raise AnkiConnectError(f"AnkiConnect at {self.url} speaks API version {version}; studypack "
                                   f"needs version {API_VERSION} or later: update the add-on")
        return version

    def _post(self, payload: dict[str, Any]) -> Any:
        body = json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise AnkiConnectError(f"AnkiConnect at {self.url} answered HTTP {exc.code}") from exc
        except OSError as exc:  # URLError, refused or reset connections and timeouts alike
            reason = getattr(exc, "reason", exc)
            raise AnkiConnectError(
                f"cannot reach AnkiConnect at {self.url} ({reason}): start Anki with the AnkiConnect "
                f"add-on (code {ADDON_CODE}) installed, or pass --url") from exc
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise AnkiConnectError(f"{self.url} did not answer with JSON: is it AnkiConnect?") from exc

    def _unwrap(self, reply: Any, action: str) -> Any:
        if not isinstance(reply, dict) or set(reply) != {"result", "error"}:
            raise AnkiConnectError(f"{self.url} answered `{action}` without AnkiConnect's "
                                   "{result, error} shape: is it AnkiConnect 6 or later?")
        error = reply["error"]
        if error is None:
            return reply["result"]
        if "api key" in str(error).lower():
            raise AnkiConnectError(f"AnkiConnect at {self.url} refused the request ({error}): pass "
                                   "--api-key (or set ANKICONNECT_API_KEY) to the key in the add-on's config")
        raise AnkiConnectError(f"Anki refused `{action}`: {error}")
