"""kasir's till: the cashier's screens, built in Python and run in the browser by Pyodide.

`till.app.Till` is the state machine (screens, the open sale, actions); one module per screen
(`till.frame`, `till.sell`, `till.pay`, `till.receipt`, `till.orders`, around the helpers of
`till.views`) turns its state into HTML strings; and `till.device.Device` is everything it needs
from the outside world; `till.browser` binds that protocol to IndexedDB and the relay
through a thin JS bridge. What the till says about sending sales (the sync indicator, Retry,
Export) is in `till.texts`.
"""
