import pytest
from django.contrib.auth import get_user_model

from accounts.models import ApiToken
from articles.models import Article
from tags.models import Tag


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", "alice@example.com", "alice-pw-1")


@pytest.fixture
def bob(db):
    return get_user_model().objects.create_user("bob", "bob@example.com", "bob-pw-1")


@pytest.fixture
def alice_token(alice):
    return ApiToken.objects.create(user=alice).key


@pytest.fixture
def bob_token(bob):
    return ApiToken.objects.create(user=bob).key


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def article(alice):
    article = Article.objects.create(author=alice, title="Hello Ninja", body="First post.")
    article.tags.set([Tag.objects.create(name="python"), Tag.objects.create(name="django")])
    return article
