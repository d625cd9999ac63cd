"""The electronic records and signatures disclosure every signer accepts (ESIGN, UETA, eIDAS).

Changing the text means a new version: signers' acceptance records which one they saw.
"""

DISCLOSURE_VERSION = "2026-11-01"

DISCLOSURE_TITLE = "Using electronic records and signatures"

DISCLOSURE_TEXT = """\
You are asked to read and sign this agreement electronically. Before you do, please note:

- Your electronic signature (your typed name, and your drawn signature if you add one) has the \
same effect as signing a paper copy.
- The agreement, and every notice about it, will be given to you electronically, at the email \
address this link was sent to. Tell the coach if that address changes.
- You can ask the coach for a paper copy at any time, free of charge.
- You can withdraw your consent to electronic records at any time before you sign, by telling \
the coach; the agreement will then be signed on paper instead. Withdrawing consent does not \
undo a signature already given.
- To read and keep the agreement you need a web browser and an email account; you can save or \
print the signed copy you will receive by email.
"""
