"""Checks that infra/moto_server.py's replacements keep moto's DynamoDB answers: a transaction that
fails leaves every item it named as it was, one that succeeds writes every part, and a Query on the
table returns what moto's own Query returns. Run by infra/test.sh; exits non-zero on a difference.
"""

import importlib.util
import pathlib

import boto3
from moto import mock_aws

HERE = pathlib.Path(__file__).parent
spec = importlib.util.spec_from_file_location("moto_server", HERE / "moto_server.py")
moto_server = importlib.util.module_from_spec(spec)
spec.loader.exec_module(moto_server)


def key(sk):
    return {"pk": {"S": "p"}, "sk": {"S": sk}}


def add_one(sk):
    return {
        "Update": {
            "TableName": "t",
            "Key": key(sk),
            "UpdateExpression": "SET v = v + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


FAILING = [
    # A put, an update and a delete, then a condition that fails.
    [
        {"Put": {"TableName": "t", "Item": {**key("new"), "v": {"N": "1"}}}},
        add_one("a"),
        {"Delete": {"TableName": "t", "Key": key("b")}},
        {"ConditionCheck": {"TableName": "t", "Key": key("zzz"), "ConditionExpression": "attribute_exists(pk)"}},
    ],
    # The same item twice.
    [add_one("a"), {"Put": {"TableName": "t", "Item": {**key("a"), "v": {"N": "9"}}}}],
    # A part on a table that does not exist.
    [
        {"Put": {"TableName": "t", "Item": {**key("new2"), "v": {"N": "1"}}}},
        {"Put": {"TableName": "nope", "Item": key("x")}},
    ],
]

QUERIES = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}},
    {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": {"S": "p"}, ":a": {"S": "a"}, ":b": {"S": "c"}},
    },
    {
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :a)",
        "ExpressionAttributeValues": {":p": {"S": "p"}, ":a": {"S": "n#"}},
        "ScanIndexForward": False,
        "Limit": 3,
    },
]


def run():
    """What a fresh table answers to the failing transactions, a good one and the queries."""
    answers = []
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        for sk in ["a", "b"] + [f"n#{i:02}" for i in range(10)]:
            db.put_item(TableName="t", Item={**key(sk), "v": {"N": "1"}})
        db.put_item(TableName="t", Item={"pk": {"S": "other"}, "sk": {"S": "a"}, "v": {"N": "5"}})
        for parts in FAILING:
            try:
                db.transact_write_items(TransactItems=parts)
                answers.append("committed")
            except Exception as e:  # noqa: BLE001 - the error's name is the answer
                answers.append(type(e).__name__)
        db.transact_write_items(TransactItems=[add_one("a"), {"Delete": {"TableName": "t", "Key": key("b")}}])
        for query in QUERIES:
            out = db.query(TableName="t", **query)
            answers.append(([(i["sk"]["S"], i["v"]["N"]) for i in out["Items"]], out.get("LastEvaluatedKey")))
    return answers


def main():
    expected = run()
    moto_server.undo_log_transactions()
    moto_server.partition_queries()
    got = run()
    assert expected[:3] == ["TransactionCanceledException", "ClientError", "ResourceNotFoundException"], expected
    assert expected[3][0][:2] == [("a", "2"), ("n#00", "1")], expected
    if got != expected:
        raise SystemExit(f"infra/moto_server.py answers differently from moto:\n  moto: {expected}\n  ours: {got}")
    print(f"infra/moto_server.py answers as moto does ({len(FAILING)} failing transactions, {len(QUERIES)} queries)")


if __name__ == "__main__":
    main()
