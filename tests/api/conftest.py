"""Clients for the set-up API: an owner's account key, a store's read and write keys, sessions by role."""

import pytest
from rest_framework.test import APIClient

from restaurant_ops.models import Role
from restaurant_ops.services import api_key_create
from tests.factories import MembershipFactory


def key_client_for(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def owner(store):
    return MembershipFactory(store=store, role=Role.OWNER).user


@pytest.fixture
def account_client(store, owner):
    """The owner's account key: every store they own, and new ones."""
    _key, raw = api_key_create(store=store, name="POS account", scope="account", created_by=owner)
    return key_client_for(raw)


@pytest.fixture
def read_client(store):
    _key, raw = api_key_create(store=store, name="BI", scope="read", created_by=None)
    return key_client_for(raw)


@pytest.fixture
def session_client(store):
    """session_client(role) → a client logged in as a new member of `store` with that role."""

    def make(role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(MembershipFactory(store=store, role=role).user)
        return client

    return make


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def errors(response) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in response.json()["errors"]}
