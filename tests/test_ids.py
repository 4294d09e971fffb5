"""Entry ids are name-based UUIDs: stable, and exactly what uuid.uuid5 gives."""

from __future__ import annotations

import uuid

import pytest

from feeder.ids import ID_NAMESPACE, urn_for


@pytest.mark.parametrize("key", ["path:a.md", "id:42", "path:2022/01/新闻.md", "", "x" * 500])
def test_urn_for_is_uuid5(key: str) -> None:
    """urn_for(key) is the URN of uuid.uuid5 over feeder's namespace."""
    assert f"urn:uuid:{uuid.uuid5(uuid.UUID(ID_NAMESPACE), key)}" == urn_for(key)
