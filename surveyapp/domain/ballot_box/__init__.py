"""The encrypted ballot box: no ballot is ever stored in plaintext.

A round's key is made at open and split among its 监票人 (:mod:`.keys`);
ballots are sealed to it as exponential-ElGamal ciphertexts with
zero-knowledge proofs (:mod:`.sealing`, :mod:`.proofs`); after close,
``threshold`` trustees decrypt only the sums (:mod:`.opening`).  The group
arithmetic is libsecp256k1's, through coincurve (:mod:`.curve`); the AEAD
for comments is the ``cryptography`` package's.  Plain Python otherwise:
no Flask, no database.  docs/ballot-box.md describes the protocol.
"""
