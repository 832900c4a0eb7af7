"""Checks that infra/moto_server.py's replacements keep moto's DynamoDB answers: a transaction that
fails leaves every item it named as it was, one that succeeds writes every part, a Query on the
table returns what moto's own Query returns, and every item operation's answer written straight to
JSON is the one moto writes. Run by infra/test.sh; exits non-zero on a difference.
"""

import importlib.util
import json
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


def item_operations(db):
    """Every item operation, with every kind of attribute value, found and not, paged and not."""
    db.create_table(
        TableName="items",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
    )
    every = {
        "s": {"S": "text é"}, "n": {"N": "-1.50"}, "b": {"B": b"\x00\xff"}, "t": {"BOOL": True},
        "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"x"]},
        "m": {"M": {"l": {"L": [{"N": "1"}, {"M": {}}, {"L": []}, {"B": b"y"}]}}},
    }
    item = lambda sk: {"pk": {"S": "p"}, "sk": {"S": sk}, "g": {"S": "g"}, **every}  # noqa: E731
    total = {"ReturnConsumedCapacity": "TOTAL"}
    db.put_item(TableName="items", Item=item("a"))
    db.put_item(TableName="items", Item=item("a"), ReturnValues="ALL_OLD", **total)
    db.put_item(TableName="items", Item=item("b"), ReturnValues="ALL_OLD")
    for sk in ("a", "missing"):
        db.get_item(TableName="items", Key={"pk": {"S": "p"}, "sk": {"S": sk}}, ConsistentRead=True)
    db.get_item(TableName="items", Key={"pk": {"S": "p"}, "sk": {"S": "a"}}, ProjectionExpression="b, m", **total)
    for returns in ("NONE", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "ALL_OLD"):
        db.update_item(
            TableName="items", Key={"pk": {"S": "p"}, "sk": {"S": "b"}}, ReturnValues=returns,
            UpdateExpression="SET n = n + :one", ExpressionAttributeValues={":one": {"N": "1"}},
        )
    p = {":p": {"S": "p"}}
    db.query(TableName="items", KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, Limit=1, **total)
    db.query(TableName="items", KeyConditionExpression="pk = :p", ExpressionAttributeValues=p, Select="COUNT")
    db.query(TableName="items", KeyConditionExpression="pk = :q", ExpressionAttributeValues={":q": {"S": "none"}})
    db.query(TableName="items", IndexName="by-g", KeyConditionExpression="g = :g",
             ExpressionAttributeValues={":g": {"S": "g"}}, ScanIndexForward=False, ReturnConsumedCapacity="INDEXES")
    db.scan(TableName="items", Limit=1)
    db.scan(TableName="items", FilterExpression="n > :n", ExpressionAttributeValues={":n": {"N": "0"}})
    keys = [{"pk": {"S": "p"}, "sk": {"S": sk}} for sk in ("a", "b", "missing")]
    db.batch_get_item(RequestItems={"items": {"Keys": keys}}, **total)
    db.transact_get_items(TransactItems=[{"Get": {"TableName": "items", "Key": k}} for k in keys], **total)
    db.batch_write_item(RequestItems={"items": [{"PutRequest": {"Item": item("c")}},
                                                {"DeleteRequest": {"Key": keys[1]}}]}, **total)
    db.transact_write_items(TransactItems=[{"Put": {"TableName": "items", "Item": item("d")}}], **total)
    db.delete_item(TableName="items", Key=keys[0], ReturnValues="ALL_OLD", **total)
    db.delete_item(TableName="items", Key=keys[0])


def compare_item_answers():
    """Each item answer written both ways: (operations compared, differences)."""
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    moto_server.fast_item_answers()
    fast = DynamoResult.execute_result
    compared, differences = set(), []

    def both(self, context):
        theirs = ActionResult.execute_result(self, context)
        ours = fast(self, context)
        name = context.operation_model.name
        if name in moto_server.ITEM_OPERATIONS:
            compared.add(name)
            same = theirs[0] == ours[0] and theirs[1] == ours[1] and json.loads(theirs[2]) == json.loads(ours[2])
            if not same:
                differences.append(f"{name}:\n    moto: {theirs}\n    ours: {ours}")
        return theirs

    DynamoResult.execute_result = both
    try:
        with mock_aws():
            item_operations(boto3.client("dynamodb", region_name="us-east-1"))
    finally:
        DynamoResult.execute_result = ActionResult.execute_result
    return compared, differences


def main():
    expected = run()
    moto_server.undo_log_transactions()
    moto_server.partition_queries()
    got = run()
    assert expected[:3] == ["TransactionCanceledException", "ClientError", "ResourceNotFoundException"], expected
    assert expected[3][0][:2] == [("a", "2"), ("n#00", "1")], expected
    if got != expected:
        raise SystemExit(f"infra/moto_server.py answers differently from moto:\n  moto: {expected}\n  ours: {got}")
    compared, differences = compare_item_answers()
    if differences or compared != moto_server.ITEM_OPERATIONS:
        missing = sorted(moto_server.ITEM_OPERATIONS - compared)
        raise SystemExit("infra/moto_server.py writes item answers differently from moto:\n  "
                         + "\n  ".join(differences) + (f"\n  not exercised: {missing}" if missing else ""))
    print(f"infra/moto_server.py answers as moto does ({len(FAILING)} failing transactions, {len(QUERIES)} queries, "
          f"{len(compared)} item operations written straight to JSON)")


if __name__ == "__main__":
    main()
