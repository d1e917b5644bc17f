"""The cloud stack of the cross-city service (跨城通办) as code: AWS CDK in Python around Chalice's CDK
construct. One construct per concern: ``data`` (tables, key), ``queues`` (queues, dead-letter queues,
topics), ``service`` (API and functions, with their roles), ``monitoring`` (alarms, dashboard).

Everything that the code already defines (tables, queues, topics, handlers) is read from the code, never
listed here again. ``python -m infra.app`` synthesizes every stage; ``python -m infra.deploy`` deploys one.
"""
