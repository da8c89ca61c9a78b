"""kasir's till: the cashier's screens, built in Python and run in the browser by Pyodide.

`till.app.Till` holds the state (screen, the open sale) and routes every action; one module per
screen (`till.frame`, `till.sell`, `till.pay`, `till.receipt`, `till.orders`, `till.settings`,
around the helpers of `till.views`) turns that state into HTML and keeps what its buttons do (its
`actions`, see `till.actions`); and `till.device.Device` is everything it needs
from the outside world; `till.browser` binds that protocol to IndexedDB and the relay
through a thin JS bridge. What the till says about sending sales (the sync indicator, Retry,
Export) is in `till.texts`.
"""
