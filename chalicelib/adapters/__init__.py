"""Adapters: DynamoDB (PynamoDB models and repositories), SQS/SNS publishers, the courier."""
from .session import share_one_session

share_one_session()  # before any model connects (adapters/session.py)
