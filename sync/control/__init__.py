"""The control channel: how staff requests reach the job host, and how the host answers.

Staff PCs hold no key and no history. A request made from a workbook button travels as one row in the staff
member's own requests tab of the district Google Sheet (``คำขอ <account>``, protected so only that account and
the host can write it: the tab proves who asked). The daemon on the job host polls every requests tab with one
read, applies each request once (idempotent by request ID), records it and its outcome in the history with the
staff account, and writes the outcome back to the row: done / refused / failed / waiting, in Thai and English.
A request that cannot be applied gets its reason and never holds up the others. On a single-PC district (the
PC holds the key) the same request is applied directly through the same code. See README "One office, many
staff PCs".

Modules: ``kinds`` (the registry of request kinds), ``channel`` (the tabs on Google), ``host`` (the poll),
``store`` (requests and outcomes in the history), ``office`` (where a request goes from this PC), ``builtin``
(process_now, provision), ``signin`` (staff OAuth sign-in).

Adding a request kind (issues 11, 12, 14: overrides, settings changes, approvals) — three steps:

1. In your own module (e.g. ``sync/control/overrides.py``), a pydantic payload model and a handler::

       from sync.control.kinds import Outcome, Payload, Refused, request_kind

       class Override(Payload):           # unknown fields are refused; pydantic types check the rest
           school_code: str
           report_key: str
           submitted_on: str

       @request_kind("override_submission", "แก้วันที่ส่งรายงาน", Override)
       def override_submission(ctx, req, p: Override) -> Outcome:
           # ctx.store: earlier requests and outcomes (two staff deciding the same report: first one wins);
           # ctx.store.history: the History; ctx.cfg: the host's Config; ctx.run_in_progress(): a run holds the
           # lock (say "applies from the next run"). req.account is the staff account: record it with the decision.
           if ...:
               raise Refused("เหตุผลภาษาไทย", "the reason in English")
           ...apply...
           return Outcome.done("บันทึกแล้ว", "recorded", result={...})

2. Add the module's dotted name to ``KIND_MODULES`` in ``sync/control/kinds.py``.
3. The button sends it: ``run_khet(book, ["office", "request", "override_submission", "--payload", json, "--json"])``
   — the staff PC validates the payload with the same model before sending, the host again before applying.
"""
