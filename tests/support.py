"""Helpers shared by the tests: tokens, valid identity numbers, application bodies, HTTP shortcuts."""
from __future__ import annotations

import json
import random
from typing import Any

from chalicelib.api.auth import issue_dev_token
from chalicelib.domain.identity import with_check_digit

MATTER_OF_CITY = {  # a matter handled in each city
    "441900": "DG-SI-CERT",
    "440300": "SZ-PF-WITHDRAW",
    "440400": "ZH-DRIVER-RENEW",
}
OFFICE_OF_CITY = {"440300": "SZ-GOV", "441900": "DG-GOV", "440400": "ZH-GOV"}
CORE = {
    "DG-SI-CERT": ["身份证", "申请表"],
    "DG-HUKOU-MOVE": ["身份证", "户口簿", "迁入地证明"],
    "SZ-BIZ-CHANGE": ["身份证", "营业执照", "变更申请书"],
    "SZ-PF-WITHDRAW": ["身份证", "银行卡"],
    "ZH-DRIVER-RENEW": ["身份证", "驾驶证", "体检证明"],
    "ZH-HOUSING-RECORD": ["身份证", "查询申请表"],
}


def resident_id(seed: int | None = None) -> str:
    rnd = random.Random(seed)
    first = f"440305{rnd.randint(1960, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}"
    return with_check_digit(first)


def token(role: str, sub: str | None = None, office: str | None = None, city: str | None = None) -> str:
    return issue_dev_token(role, sub or f"{role}-{office or city or 'x'}".lower(), office, city, sub or role)


def headers(role: str, sub: str | None = None, office: str | None = None, city: str | None = None,
            **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, sub, office, city)}", "Content-Type": "application/json",
            **extra}


def citizen(sub: str = "alice") -> dict[str, str]:
    return headers("citizen", sub)


def staff(office: str) -> dict[str, str]:
    return headers("staff", office=office)


def supervisor(city: str) -> dict[str, str]:
    return headers("supervisor", city=city)


def application(matter_id: str = "DG-SI-CERT", office_id: str = "SZ-GOV", method: str = "MAIL",
                provided: list[str] | None = None, id_seed: int = 1, address_city: str = "440300",
                **overrides: Any) -> dict[str, Any]:
    names = provided if provided is not None else CORE[matter_id]
    body: dict[str, Any] = {
        "matter_id": matter_id,
        "receiving_office_id": office_id,
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": resident_id(id_seed),
                      "phone": "13800138000"},
        "materials": [{"name": n, "provided": True} for n in names],
        "delivery": {"method": method},
    }
    if method == "MAIL":
        body["delivery"]["address"] = {"city": address_city, "detail": "南山区科技园科苑路15号",
                                       "recipient": "张三", "phone": "13800138000"}
    body.update(overrides)
    return body


def call(client: Any, method: str, path: str, hdrs: dict[str, str] | None = None,
         body: Any = None) -> tuple[int, Any]:
    """One request through chalice's test client; returns (status, parsed JSON body)."""
    raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body, ensure_ascii=False)
    kwargs: dict[str, Any] = {"headers": hdrs or {}}
    if raw is not None:
        kwargs["body"] = raw
    resp = getattr(client.http, method.lower())(path, **kwargs)
    try:
        data = json.loads(resp.body) if resp.body else None
    except ValueError:
        data = resp.body
    return resp.status_code, data


def ticket_id_of(client: Any, case_no: str, stage: str) -> str:
    """The (opaque) id of the ticket of a case's stage, as a provincial supervisor finds it: on the review."""
    status, data = call(client, "GET", f"/cases/{case_no}/reviews", supervisor("440000"))
    assert status == 200, data
    ticket = next(r["ticket"] for r in data["items"] if r["stage"] == stage)
    assert ticket is not None, data
    return str(ticket["ticket_id"])


def apply_case(client: Any, sub: str = "alice", **kwargs: Any) -> dict[str, Any]:
    status, data = call(client, "POST", "/cases", citizen(sub), application(**kwargs))
    assert status == 201, data
    return data


def received_case(client: Any, sub: str = "alice", missing: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
    case = apply_case(client, sub, **kwargs)
    office = kwargs.get("office_id", "SZ-GOV")
    status, data = call(client, "POST", f"/cases/{case['case_no']}/receive", staff(office),
                        {"missing": missing} if missing is not None else {})
    assert status == 200, data
    return {**data, "query_code": case["query_code"]}


def service_apply(actor: Any, body: dict[str, Any], idempotency_key: str | None = None, now: Any = None) -> Any:
    """intake.apply with the command a POST /cases with this body makes."""
    from chalicelib.services import intake
    from chalicelib.services.commands import Apply

    return intake.apply(actor, Apply.from_body(body, idempotency_key=idempotency_key), now=now)


def submit_review(actor: Any, case_no: str, body: dict[str, Any], now: Any = None) -> Any:
    """reviews.submit with the command a POST /cases/{case_no}/reviews with this body makes."""
    from chalicelib.services import reviews
    from chalicelib.services.commands import SubmitReview

    return reviews.submit(actor, SubmitReview.from_body(case_no, body), now=now)
