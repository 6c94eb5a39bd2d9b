-- Dead letters keep the exact bytes of what was rejected (issue 10): `payload` (text) cannot
-- hold NUL or bytes that are not UTF-8, so it becomes a readable rendering and the bytes live
-- beside it. `payload_size` is the size as received; a payload longer than what is kept
-- (64 KiB) is cut, which `octet_length(payload_bytes) < payload_size` shows.
-- Rows from before this migration have neither (their `payload` is what was kept).
ALTER TABLE "dead_letters" ADD COLUMN "payload_bytes" BYTEA;
ALTER TABLE "dead_letters" ADD COLUMN "payload_size" INTEGER;
