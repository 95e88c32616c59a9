-- Seeds a migrated hub database (PostgreSQL) with what a large deployment holds after a
-- year: 1M users, 1M live refresh tokens and 10M audit events. Run by tests/bench/scale
-- with psql -v client_id=… (the benchmark's client, which the refresh tokens belong to).
\set ON_ERROR_STOP on
\timing on

-- Users: user-0000001 … user-1000000, each with an e-mail address and a name; no password
-- (the argon2 hash would only cost seeding time; sign-in is measured with the bench user).
INSERT INTO users (id, username, email, email_verified, name, given_name, family_name,
                   phone_number_verified, password_hash, disabled, created_at, updated_at)
SELECT gen_random_uuid(),
       'user-' || lpad(i::text, 7, '0'),
       'user-' || lpad(i::text, 7, '0') || '@scale.example',
       true,
       'Scale User ' || i,
       'Scale',
       'User ' || i,
       false,
       NULL,
       i % 50 = 0,
       now() - (i % 365) * interval '1 day',
       now() - (i % 30) * interval '1 day'
FROM generate_series(1, 1000000) AS i;

-- One group with every tenth user in it.
INSERT INTO groups (id, name, description, created_at)
VALUES (gen_random_uuid(), 'scale-staff', 'every tenth seeded user', now());
INSERT INTO user_groups (user_id, group_id)
SELECT u.id, g.id
FROM users u, groups g
WHERE g.name = 'scale-staff' AND u.username LIKE 'user-%' AND right(u.username, 1) = '0';

-- A numbered copy of the seeded users, to spread tokens and events over them.
CREATE TEMPORARY TABLE numbered AS
SELECT row_number() OVER (ORDER BY username) AS n, id, username
FROM users WHERE username LIKE 'user-%';
CREATE UNIQUE INDEX ON numbered (n);

-- Refresh tokens: one live token per seeded user, each its own family.
INSERT INTO refresh_tokens (id, token_hash, family_id, client_id, user_id, scope, auth_time, amr,
                            sid, created_at, expires_at, used_at, revoked_at)
SELECT gen_random_uuid(),
       encode(sha256(('seeded-refresh-' || n)::bytea), 'hex'),
       gen_random_uuid(),
       :'client_id',
       id,
       'openid profile email offline_access',
       now() - (n % 30) * interval '1 day',
       '["pwd"]'::json,
       NULL,
       now() - (n % 30) * interval '1 day',
       now() + interval '30 days',
       NULL,
       NULL
FROM numbered;

-- Audit events: ten per seeded user over the last year, mostly sign-ins.
INSERT INTO audit_events (id, occurred_at, action, outcome, actor, actor_id, user_id, client_id,
                          target, address, detail)
SELECT gen_random_uuid(),
       now() - interval '1 second' - (g.i * interval '3 seconds'),
       CASE g.i % 20 WHEN 0 THEN 'user.update' WHEN 1 THEN 'login.upstream' WHEN 2 THEN 'client.update'
                     ELSE 'login.password' END,
       CASE WHEN g.i % 17 = 0 THEN 'failure' ELSE 'success' END,
       'user:' || u.username,
       u.id,
       u.id,
       CASE WHEN g.i % 20 = 2 THEN :'client_id' END,
       NULL,
       '10.' || (g.i % 250) || '.' || (g.i / 250 % 250) || '.' || (g.i % 7),
       NULL
FROM generate_series(1::bigint, 10000000) AS g(i)
JOIN numbered u ON u.n = 1 + (g.i * 7919) % 1000000;

-- Settle as a database that grew over a year would be: statistics, the visibility map
-- (index-only scans), and no checkpoint pending from the bulk load.
VACUUM ANALYZE;
CHECKPOINT;
