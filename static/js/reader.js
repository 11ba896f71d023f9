// Source reader: turn a text selection into a quote (offsets in code points).
