"""Modules imported on first use.

Every Lambda function of the app imports app.py at init (a cold start), but each runs one handler: the
modules only some handlers use are bound through ``lazy_module`` so that a function pays for what it runs.
Attribute look-ups always go to the real module, so patching the module itself (in tests) still works.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for a module until an attribute is first read; then imports it (once)."""

    def __init__(self, name: str) -> None:
        self.__dict__["_name"] = name
        self.__dict__["_module"] = None

    def _load(self) -> ModuleType:
        module = self.__dict__["_module"]
        if module is None:
            module = importlib.import_module(self.__dict__["_name"])
            self.__dict__["_module"] = module
        return module  # type: ignore[no-any-return]

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_name']!r}>"


def lazy_module(name: str) -> Any:
    return LazyModule(name)


def lazy_function(module: str, name: str) -> Callable[..., Any]:
    """A function of a module imported on the first call."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call
