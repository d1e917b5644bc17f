"""Adapters: DynamoDB (PynamoDB models and repositories), SQS/SNS publishers, the courier."""
