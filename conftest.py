# Fixtures shared by every test folder (services/*/tests, shared/tests, tests/).
pytest_plugins = ["shared.tools.testing.fixtures"]
