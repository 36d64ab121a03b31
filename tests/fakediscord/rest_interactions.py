"""Interaction callbacks and the interaction webhook (follow-ups, ``@original`` edits).

This is where Discord's interaction rules live:

* the first callback must arrive within ``response_deadline`` (3 s) of the interaction, or Discord answers
  404 ``10062 Unknown interaction``; a second one gets 400 ``40060`` "already acknowledged";
* the token then works for ``token_ttl`` (15 min) of follow-ups and edits, else 404 ``10015``;
* the webhook is not usable before the interaction was acknowledged (404 ``10015`` too);
* a deferred (type 5) response leaves a "thinking" placeholder that the first follow-up (or an edit of
  ``@original``) fills in, keeping the ephemeral choice made when deferring.

The callback answer has the ``with_response`` shape discord.py parses into ``InteractionCallbackResponse``:
its ``resource.message`` becomes ``InteractionMessage`` and ``response_message_id`` is the key under which
discord.py files the view, so a later click must carry that same message id.
"""

from __future__ import annotations

from aiohttp import web

from .handles import FakeInteraction
from .limits import FormError, check_modal
from .models import EPHEMERAL, LOADING, FakeCallback, FakeMessage, JsonDict
from .rest import API, json_response, no_content, read_body, snowflake
from .state import DiscordError, FakeState, unknown_message

APPLICATION_COMMAND = 2
COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    APPLICATION_COMMAND: frozenset({4, 5, 9, 12}),
    COMPONENT: frozenset({4, 5, 6, 7, 9, 12}),
    AUTOCOMPLETE: frozenset({8}),
    MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}
TRUE_VALUES = frozenset({"1", "true", "True"})


def _invalid_type(kind: object) -> DiscordError:
    error = FormError(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"Invalid response type {kind!r}")
    return DiscordError(400, 50035, "Invalid Form Body", [error])


class InteractionRoutes:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_post(f"{API}/interactions/{{interaction_id}}/{{token}}/callback", self.callback)
        router.add_post(f"{API}/webhooks/{{app_id}}/{{token}}", self.followup)
        message = f"{API}/webhooks/{{app_id}}/{{token}}/messages/{{message_id}}"
        router.add_get(message, self.get_message, allow_head=False)
        router.add_patch(message, self.edit_message)
        router.add_delete(message, self.delete_message)

    # -- callback --------------------------------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        state = self.state
        now = state.clock()
        it = state.interactions.get(snowflake(request, "interaction_id"))
        if it is None or it.token != request.match_info["token"]:
            raise DiscordError(404, 10062, "Unknown interaction", detail="no such interaction id/token")
        body, uploads = await read_body(request)
        if it.callback is not None:
            raise DiscordError(
                400,
                40060,
                "Interaction has already been acknowledged.",
                detail=f"interaction {it.id} was already answered with type {it.callback.type}",
            )
        late = now - it.created_at
        if late > state.response_deadline:
            raise DiscordError(
                404,
                10062,
                "Unknown interaction",
                detail=f"callback {late:.2f}s after the interaction (limit {state.response_deadline:g}s)",
            )
        kind = body.get("type")
        data: JsonDict = body.get("data") or {}
        if not isinstance(kind, int) or kind not in ALLOWED_CALLBACKS.get(it.type, frozenset()):
            raise _invalid_type(kind)
        if kind in (6, 7) and it.message is None:
            raise _invalid_type(kind)  # update types need a message: a modal opened from a slash command has none

        message: FakeMessage | None = None
        if kind == 4:
            message = state.new_message(it.channel_id, interaction=it, message_type=self._reply_type(it))
            state.create(message, data, uploads, prefix=("data",))
        elif kind == 5:
            message = state.new_message(it.channel_id, interaction=it, message_type=self._reply_type(it))
            message.flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            state.store(message)
        elif kind in (6, 7):
            message = it.message
            assert message is not None
            if kind == 7:
                state.edit(message, data, uploads, via="callback 7", prefix=("data",))
        elif kind == 9:
            errors = check_modal(data)
            if errors:
                raise DiscordError(400, 50035, "Invalid Form Body", errors)
            it.modal = data
        elif kind == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                errors = [FormError(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")]
                raise DiscordError(400, 50035, "Invalid Form Body", errors)

        it.original = message
        it.callback = FakeCallback(type=kind, data=data, message=message, at=now)
        state.bump()
        if request.query.get("with_response") not in TRUE_VALUES:
            return no_content()
        return json_response(self._callback_answer(it, kind, message))

    @staticmethod
    def _reply_type(it: FakeInteraction) -> int:
        return 20 if it.type == APPLICATION_COMMAND else 0

    def _callback_answer(self, it: FakeInteraction, kind: int, message: FakeMessage | None) -> JsonDict:
        interaction: JsonDict = {
            "id": str(it.id),
            "type": it.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message is not None and message.ephemeral),
        }
        if message is not None:
            interaction["response_message_id"] = str(message.id)
        resource: JsonDict = {"type": kind}
        if kind in (4, 7) and message is not None:
            resource["message"] = self.state.payload(message)
        return {"interaction": interaction, "resource": resource}

    # -- webhook ---------------------------------------------------------------------------------------------

    def _interaction(self, request: web.Request) -> FakeInteraction:
        state = self.state
        it = state.interactions_by_token.get(request.match_info["token"])
        if snowflake(request, "app_id") != state.application_id or it is None:
            raise DiscordError(404, 10015, "Unknown Webhook", detail="no interaction has this token")
        age = state.clock() - it.created_at
        if age > state.token_ttl:
            detail = f"token used {age:.0f}s after the interaction (limit {state.token_ttl:g}s)"
            raise DiscordError(404, 10015, "Unknown Webhook", detail=detail)
        if it.callback is None:
            raise DiscordError(404, 10015, "Unknown Webhook", detail="interaction webhook used before any callback")
        return it

    def _message(self, it: FakeInteraction, request: web.Request) -> FakeMessage:
        key = request.match_info["message_id"]
        if key == "@original":
            message = it.original
        else:
            found = self.state.messages_by_id.get(snowflake(request, "message_id"))
            message = found if found is not None and it.owns(found) else None
        if message is None or message.deleted:
            raise unknown_message()
        return message

    async def followup(self, request: web.Request) -> web.Response:
        state = self.state
        it = self._interaction(request)
        body, uploads = await read_body(request)
        original = it.original
        if it.callback is not None and it.callback.type == 5 and original is not None and original.loading:
            # The first follow-up after "thinking" replaces the placeholder and keeps its ephemerality.
            body = {k: v for k, v in body.items() if k != "flags"}
            state.validate(original, body, uploads)
            state.apply_body(original, body, uploads, creating=True)
            original.flags &= ~LOADING
            message = original
        else:
            message = state.new_message(it.channel_id, interaction=it)
            state.create(message, body, uploads)
        it.followups.append(message)
        state.bump()
        if request.query.get("wait") in TRUE_VALUES:
            return json_response(state.payload(message))
        return no_content()

    async def get_message(self, request: web.Request) -> web.Response:
        it = self._interaction(request)
        return json_response(self.state.payload(self._message(it, request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        it = self._interaction(request)
        message = self._message(it, request)
        body, uploads = await read_body(request)
        via = f"PATCH webhook {request.match_info['message_id']}"
        self.state.edit(message, body, uploads, via=via, clear_flags=LOADING)
        return json_response(self.state.payload(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        it = self._interaction(request)
        self.state.delete(self._message(it, request))
        return no_content()
