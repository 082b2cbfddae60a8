-- 0019: the journal without a unique index on hash.  Nothing looks an entry up by its hash,
-- and the chain itself makes two equal hashes impossible (each hash covers the entry's seq
-- and the previous hash; `vejled verify` checks every link).  The index cost every append
-- a write to a random page of its own.
ALTER TABLE journal DROP CONSTRAINT journal_hash_key;
