// Live updates: see the map change while others work on it.
