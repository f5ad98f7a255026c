"""Data access: raw SQL strings, no models."""

import hashlib
import secrets
import uuid

from purse.db import core, ledger


def hash_password(password: str, salt: str = "") -> str:
    salt = salt or secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def check_password(password: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return secrets.compare_digest(hash_password(password, salt), stored)


async def create_account(username: str, password: str) -> dict:
    account_id = uuid.uuid4().hex
    await core.execute("INSERT INTO accounts (id, username, password_hash) VALUES (:id, :username, :hash)",
                       id=account_id, username=username, hash=hash_password(password))
    key = secrets.token_hex(16)
    await core.execute("INSERT INTO api_keys (api_key, account_id, label) VALUES (:key, :account, 'default')",
                       key=key, account=account_id)
    return {"id": account_id, "username": username, "api_key": key}


async def account_by_username(username: str):
    return await core.fetchone("SELECT id, username, password_hash FROM accounts WHERE username = :u", u=username)


async def account_by_key(key: str):
    return await core.fetchone(
        "SELECT a.id, a.username FROM accounts a JOIN api_keys k ON k.account_id = a.id WHERE k.api_key = :key",
        key=key)


async def setting(key: str):
    row = await core.fetchone("SELECT value FROM settings WHERE key = :key", key=key)
    return row["value"] if row else None


async def create_wallet(account_id: str, name: str, balance: int = 0) -> dict:
    wallet_id = uuid.uuid4().hex[:12]
    await ledger.execute("INSERT INTO wallets (id, account_id, name, balance) VALUES (:id, :account, :name, :balance)",
                         id=wallet_id, account=account_id, name=name, balance=balance)
    return {"id": wallet_id, "name": name, "balance": balance}


async def wallets_of(account_id: str) -> list:
    return await ledger.fetchall("SELECT id, name, balance FROM wallets WHERE account_id = :a ORDER BY name", a=account_id)


async def wallet_of(account_id: str, wallet_id: str):
    return await ledger.fetchone("SELECT id, name, balance FROM wallets WHERE id = :w AND account_id = :a",
                                 w=wallet_id, a=account_id)


async def pay(wallet_id: str, amount: int, memo: str) -> None:
    async with ledger.connect() as connection:
        from sqlalchemy import text

        await connection.execute(text("UPDATE wallets SET balance = balance - :amount WHERE id = :w"),
                                 {"amount": amount, "w": wallet_id})
        await connection.execute(text("INSERT INTO payments (wallet_id, amount, memo) VALUES (:w, :amount, :memo)"),
                                 {"w": wallet_id, "amount": amount, "memo": memo})


async def payments_of(wallet_id: str) -> list:
    return await ledger.fetchall("SELECT amount, memo FROM payments WHERE wallet_id = :w ORDER BY id", w=wallet_id)
