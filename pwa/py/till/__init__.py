"""kasir's till: the cashier's screens, built in Python and run in the browser by Pyodide.

`till.app.Till` is the state machine (screens, the open sale, actions), `till.views` turns its state
into HTML strings, and `till.device.Device` is everything it needs from the outside world; the lead's
`till.browser` binds that protocol to IndexedDB and the relay through a thin JS bridge. What the
till says about sending sales (the sync indicator, Retry, Export) is in `till.texts`.
"""
