"""Which AWS actions on which resources each Lambda function's handlers really perform, recorded at the
botocore layer while the tests drive the handlers in-process (moto).

A call is attributed to the function whose handler is on the call stack (any route → ``APIHandler``; an
event handler → its Chalice logical id, e.g. ``relay_outbox`` → ``RelayOutbox``). Calls made by test code
itself (provisioning, assertions) are not attributed. The conftest checks every attributed call against the
function's grant (chalicelib.grants), from which the templates' roles are made.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from types import CodeType
from typing import Any

Call = tuple[str, str, str]  # (service, IAM action, resource: logical table/queue/topic, "sms" or a secret)

_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem",
             "Get": "GetItem"}


class AccessRecorder:
    def __init__(self) -> None:
        self.calls: dict[str, set[Call]] = defaultdict(set)
        self._functions: dict[CodeType, str] | None = None
        self._original: Any = None

    # ------------------------------------------------------------ attribution

    def functions(self) -> dict[CodeType, str]:
        if self._functions is None:
            import app as handlers
            from chalicelib.grants import logical_id

            codes: dict[CodeType, str] = {}
            for methods in handlers.app.routes.values():
                for entry in methods.values():
                    codes[_code(entry.view_function)] = "APIHandler"
            for source in handlers.app.event_sources:
                codes[_code(handlers.app.handler_map[source.name])] = logical_id(source.name)
            self._functions = codes
        return self._functions

    def function_on_stack(self) -> str | None:
        if "app" not in sys.modules:
            return None
        functions = self.functions()
        frame = sys._getframe(2)
        while frame is not None:
            name = functions.get(frame.f_code)
            if name:
                return name
            frame = frame.f_back  # type: ignore[assignment]
        return None

    # ------------------------------------------------------------ recording

    def install(self) -> None:
        from botocore.client import BaseClient

        recorder = self
        original = self._original = BaseClient._make_api_call

        def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
            function = recorder.function_on_stack()
            if function is not None:
                service = client.meta.service_model.endpoint_prefix
                recorder.calls[function].update(_calls(service, operation, params))
            return original(client, operation, params)

        BaseClient._make_api_call = recording  # type: ignore[method-assign]

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]


def _code(function: Any) -> CodeType:
    inner = getattr(function, "func", function)  # chalice's EventSourceHandler keeps the function in .func
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    return inner.__code__  # type: ignore[no-any-return]


def _logical(name: str) -> str:
    from chalicelib.config import settings

    return name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].removeprefix(settings().resource_prefix + "-")


def _calls(service: str, operation: str, params: dict[str, Any]) -> set[Call]:
    if service == "dynamodb":
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return {("dynamodb", _TRANSACT[kind], _logical(body["TableName"]))
                    for item in params["TransactItems"] for kind, body in item.items()}
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return {("dynamodb", operation, _logical(table)) for table in params["RequestItems"]}
        return {("dynamodb", operation, _logical(params.get("TableName", "*")))}
    if service == "sqs":
        target = params.get("QueueUrl") or params.get("QueueName") or "*"
        action = {"SendMessageBatch": "SendMessage"}.get(operation, operation)
        return {("sqs", action, _logical(target))}
    if service == "sns":
        if operation == "Publish" and params.get("PhoneNumber"):
            return {("sns", "Publish", "sms")}
        return {("sns", operation, _logical(params.get("TopicArn") or params.get("Name") or "*"))}
    if service == "secretsmanager":  # the secret's ARN ends in a random suffix: the grant names the secret
        secret = str(params.get("SecretId", "*"))
        return {("secretsmanager", operation, "courier-webhook-secret" if "courier-webhook-secret" in secret
                 else secret)}
    return {(service, operation, "*")}
