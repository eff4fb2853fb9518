#!/usr/bin/env python
from groundswell.cli import main

if __name__ == "__main__":
    main()
