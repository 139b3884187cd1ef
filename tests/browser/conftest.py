"""The store with every role and page's data that the policy test builds serves the Chinese walk too."""

from tests.browser.test_csp import site  # noqa: F401 - a fixture shared by the page walks
