"""The review-and-label workbench: ``claim-risk review PATH... --labels FILE``.

A local web page (Starlette on uvicorn, bound to loopback, a random token in
its URL) that ranks the given pages by page score and their sentences by
score, shows why each scored as it did, takes one key per label, saves every
label at once through the adapt loop's safe writer (lock, merge, atomic
replace, formula-safe cells), and retrains in a subprocess with a progress
bar, showing the lift on the user's held-out pages.

It lives in ``claim_risk.training`` because it writes the labels that training
reads and runs training itself: ``model/`` never imports ``training/``.
``store`` holds the labels, ``session`` the scored pages and suggestions,
``retrain`` the training subprocess, ``security`` the request checks, ``app``
the routes and ``cli`` the command line.
"""
