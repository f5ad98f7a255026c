import unittest

from gadgets import create_app
from gadgets.config import Config


class TestConfig(Config):
    TESTING = True
    DISABLE_AUTH = True
    PAGE_SIZE = 5


class TestConfigWithAuth(TestConfig):
    DISABLE_AUTH = False
    PAGE_SIZE = 3


class BaseTestCase(unittest.TestCase):
    config = TestConfig

    def setUp(self):
        self.app = create_app(self.config)
        self.client = self.app.test_client()
