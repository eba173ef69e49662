"""Reading room: the home page, cable pages, origins and TAGS pages, and the read models behind them."""
