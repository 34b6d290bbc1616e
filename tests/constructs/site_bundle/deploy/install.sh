#!/bin/bash
# The site bundle of the construct tests: WebHosting only needs the installer's path in it.
exit 0
