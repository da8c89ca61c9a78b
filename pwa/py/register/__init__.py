"""kasir's register core: money, taxes, catalog and cart in pure Python (CPython and Pyodide)."""
