"""The settings the suite runs with (pytest.ini names them): the site's own, with a smaller page of
articles so the suite can page through a short list."""
from project.settings import *  # noqa: F401,F403

NEWSROOM_PAGE_SIZE = 2
