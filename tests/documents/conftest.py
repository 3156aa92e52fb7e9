def pytest_configure(config):
    config.addinivalue_line("markers", "render: converts documents to PDF/PNG with LibreOffice and poppler")
