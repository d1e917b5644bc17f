"""Telling a refused conditional write from a transient failure (the consumers' idempotency rests on it)."""


def test_a_write_refused_on_its_condition_is_told_apart_from_a_timeout():
    from botocore.exceptions import ClientError, ReadTimeoutError
    from pynamodb.exceptions import PutError

    from chalicelib.adapters.tables import condition_failed

    refused = PutError(cause=ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "PutItem"))
    throttled = PutError(cause=ClientError({"Error": {"Code": "ThrottlingException"}}, "PutItem"))
    timed_out = PutError(cause=ReadTimeoutError(endpoint_url="http://dynamodb"))
    assert condition_failed(refused)
    assert not condition_failed(throttled) and not condition_failed(timed_out)
