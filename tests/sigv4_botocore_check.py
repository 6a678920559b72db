#!/usr/bin/python3
"""Golden data for aws/sigv4.c, produced by botocore's own signer.

Generates randomised requests, signs each with botocore.auth.SigV4Auth
(Authorization header) or botocore.auth.SigV4QueryAuth (presigned query) at a
fixed time, and writes inputs plus botocore's results to
tests/data/sigv4/botocore.json.  tests/test_sigv4.c replays every case through
the C signer and requires byte-for-byte equal Authorization headers and
presigned query strings.

Request shapes (see make_case):
  - query protocol: POST, form body Action=...&Version=...&<random params>
  - JSON 1.1: POST, application/x-amz-json-1.1 body, X-Amz-Target
  - REST-ish: GET/PUT/DELETE with random paths (reserved, unicode, dot and
    empty segments) and random query parameters (reserved and unicode
    characters, duplicate keys, empty values)
  - random extra headers (mixed case, duplicate names, inner whitespace runs),
    sometimes User-Agent / X-Amzn-Trace-Id (never signed), with and without a
    session token, sometimes UNSIGNED-PAYLOAD (X-Amz-Content-SHA256 header)
  - presigned GET requests with random parameters and expiry

The query string handed to the C signer is sometimes spelled differently from
what botocore would send (lower-case hex escapes, needlessly escaped
unreserved characters, raw UTF-8): the canonical form, and so the signature,
must not change.  Presigned cases use botocore's exact spelling because the
output query string is compared byte for byte.

Deterministic: the same --seed and botocore version give the same file.

Usage (from the repository root, Debian's interpreter - it sees botocore):
  /usr/bin/python3 tests/sigv4_botocore_check.py            # rewrite the file
  /usr/bin/python3 tests/sigv4_botocore_check.py --check    # compare only
Options: --seed N (default 20261122), --headers N (default 150),
--presign N (default 70), --out PATH.
"""

import argparse
import datetime
import json
import os
import random
import sys
from unittest import mock
from urllib.parse import quote, unquote

import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'data', 'sigv4', 'botocore.json')

ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
UNRESERVED = ALNUM + '-._~'
RESERVED = "!*'();:@&=+$,/?#[]% \"<>\\^`{|}"
UNICODE = ['é', 'ü', 'ß', 'ñ', 'Ω', 'ж', 'ሴ', '日本', '中', '€', '😀', '🚀']
TCHAR_EXTRA = "!#$%&'*+-.^_`|~"
REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1',
           'ap-southeast-2', 'sa-east-1', 'cn-north-1', 'us-gov-west-1']
JSON_TARGETS = [
    ('kms', 'TrentService', ['CreateKey', 'DescribeKey', 'ScheduleKeyDeletion']),
    ('ssm', 'AmazonSSM', ['GetParameter', 'PutParameter']),
    ('secretsmanager', 'secretsmanager', ['GetSecretValue', 'CreateSecret']),
    ('logs', 'Logs_20140328', ['CreateLogGroup', 'PutRetentionPolicy']),
]
QUERY_SERVICES = [
    ('elasticache', '2015-02-02', ['CreateReplicationGroup',
                                   'DescribeReplicationGroups',
                                   'ModifyReplicationGroup', 'CreateUser']),
    ('sts', '2011-06-15', ['GetCallerIdentity', 'AssumeRole']),
    ('ec2', '2016-11-15', ['DescribeSecurityGroups', 'DescribeSubnets']),
    ('iam', '2010-05-08', ['GetRole', 'CreateRole']),
]


def text(rng, lo, hi, pools=(UNRESERVED, RESERVED)):
    """Random string of lo..hi pieces drawn from the pools and UNICODE."""
    out = []
    for _ in range(rng.randint(lo, hi)):
        r = rng.random()
        if r < 0.15:
            out.append(rng.choice(UNICODE))
        else:
            out.append(rng.choice(pools[0] if r < 0.7 else pools[-1]))
    return ''.join(out)


def random_path(rng):
    """A path as sent on the wire (percent-encoded once, sometimes with raw
    UTF-8 as some clients send), with dot and empty segments."""
    segs = []
    for _ in range(rng.randint(0, 5)):
        r = rng.random()
        if r < 0.1:
            segs.append('.')
        elif r < 0.2:
            segs.append('..')
        elif r < 0.3:
            segs.append('')
        elif r < 0.45:
            segs.append(text(rng, 1, 6, (ALNUM,)) + rng.choice(UNICODE))
        else:
            safe = rng.choice(['', "!$&'()*+,;=:@", ':@'])
            segs.append(quote(text(rng, 1, 10), safe=safe))
    path = '/' + '/'.join(segs)
    if segs and rng.random() < 0.3:
        path += '/'
    return path


def respell(rng, query):
    """The same query with other, equivalent escapes: lower-case hex,
    needlessly escaped unreserved characters, or raw UTF-8."""
    style = rng.choice(['lower', 'over', 'raw'])
    pieces = []
    for piece in query.split('&'):
        parts = []
        for part in piece.split('=', 1):
            chars = unquote(part)
            out = []
            for ch in chars:
                enc = quote(ch, safe='-_.~')
                if style == 'lower':
                    enc = enc.lower() if enc.startswith('%') else enc
                elif style == 'over' and enc == ch and rng.random() < 0.3:
                    enc = ''.join('%%%02X' % b for b in ch.encode('utf-8'))
                elif style == 'raw' and ord(ch) >= 0x80:
                    enc = ch
                out.append(enc)
            parts.append(''.join(out))
        pieces.append('='.join(parts))
    return '&'.join(pieces)


def random_params(rng, n_lo, n_hi):
    params = []
    for _ in range(rng.randint(n_lo, n_hi)):
        if params and rng.random() < 0.15:
            key = rng.choice(params)[0]  # duplicate key
        else:
            key = text(rng, 1, 8)
        value = '' if rng.random() < 0.1 else text(rng, 0, 12)
        params.append((key, value))
    return params


def random_headers(rng):
    headers = []
    for _ in range(rng.randint(0, 4)):
        name = 'X-' + ''.join(rng.choice(ALNUM + TCHAR_EXTRA)
                              for _ in range(rng.randint(1, 10)))
        value = ''.join(rng.choice(ALNUM + ' \t,;="/:') for _ in
                        range(rng.randint(0, 20)))
        if rng.random() < 0.3:
            value = '  ' + value + ' \t'
        headers.append((name, value))
        if rng.random() < 0.2:
            headers.append((name.lower(), text(rng, 1, 5, (ALNUM + '  ',))))
    if rng.random() < 0.2:
        headers.append(('User-Agent', 'Boto3/1.0 Python/3 random-%d' %
                        rng.randint(0, 999)))
    if rng.random() < 0.1:
        headers.append(('X-Amzn-Trace-Id', 'Root=1-%08x' % rng.getrandbits(32)))
    return headers


def random_credentials(rng):
    key = 'AKIA' + ''.join(rng.choice(ALNUM[:26] + ALNUM[52:])
                           for _ in range(16))
    b64 = ALNUM + '+/'
    secret = ''.join(rng.choice(b64) for _ in range(40))
    token = None
    if rng.random() < 0.4:
        token = ''.join(rng.choice(b64) for _ in
                        range(rng.randint(40, 120))) + rng.choice(['', '=', '=='])
    return key, secret, token


def host_for(rng, service, region):
    r = rng.random()
    if r < 0.7:
        return '%s.%s.amazonaws.com' % (service, region)
    if r < 0.85:
        return 'localhost:%d' % rng.randint(1024, 65535)
    return '127.0.0.1:%d' % rng.randint(1024, 65535)


def signed_at(auth, request, when):
    """Runs botocore's add_auth with its clock pinned to when."""
    with mock.patch('botocore.auth.datetime') as fake:
        fake.datetime.utcnow.return_value = when
        fake.datetime.strptime.side_effect = datetime.datetime.strptime
        auth.add_auth(request)


def make_body(rng, kind, service_info):
    if kind == 'query':
        service, version, actions = service_info
        params = [('Action', rng.choice(actions)), ('Version', version)]
        params += random_params(rng, 0, 8)
        body = percent_encode_sequence(params)
        return body, [('Content-Type',
                       'application/x-www-form-urlencoded; charset=utf-8')]
    service, prefix, actions = service_info
    doc = {text(rng, 1, 6, (ALNUM,)): text(rng, 0, 10)
           for _ in range(rng.randint(0, 5))}
    if rng.random() < 0.3:
        doc['Nested'] = {'List': [text(rng, 0, 5) for _ in range(3)]}
    body = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    return body, [('Content-Type', 'application/x-amz-json-1.1'),
                  ('X-Amz-Target', '%s.%s' % (prefix, rng.choice(actions)))]


def header_case(rng, idx):
    kind = rng.choice(['query', 'json', 'rest', 'rest'])
    region = rng.choice(REGIONS)
    body, headers, params = '', [], []
    path = '/'
    if kind == 'query':
        info = rng.choice(QUERY_SERVICES)
        service, method = info[0], 'POST'
        body, headers = make_body(rng, 'query', info)
        if rng.random() < 0.2:
            params = random_params(rng, 1, 3)
    elif kind == 'json':
        info = rng.choice(JSON_TARGETS)
        service, method = info[0], 'POST'
        body, headers = make_body(rng, 'json', info)
    else:
        service = rng.choice(['execute-api', 'elasticache', 'lambda',
                              'es', 'service'])
        method = rng.choice(['GET', 'GET', 'PUT', 'DELETE', 'HEAD'])
        path = random_path(rng)
        params = random_params(rng, 0, 6)
        if method == 'PUT' and rng.random() < 0.5:
            body = text(rng, 0, 40)
    host = host_for(rng, service, region)
    headers = [(rng.choice(['Host', 'host', 'HOST']), host)] + headers
    headers += random_headers(rng)
    rng.shuffle(headers)
    key, secret, token = random_credentials(rng)
    unsigned = rng.random() < 0.15
    when = datetime.datetime(2015, 1, 1) + datetime.timedelta(
        seconds=rng.randint(0, 20 * 365 * 86400))

    wire_query = percent_encode_sequence(params) if params else ''
    request = AWSRequest(method=method, url='https://%s%s' % (host, path),
                         data=body.encode('utf-8'), params=list(params))
    for name, value in headers:
        request.headers[name] = value
    if unsigned:
        request.context['payload_signing_enabled'] = False
    signed_at(SigV4Auth(Credentials(key, secret, token), service, region),
              request, when)

    query_in = wire_query
    if wire_query and rng.random() < 0.5:
        query_in = respell(rng, wire_query)
    return {
        'id': idx, 'mode': 'headers', 'method': method, 'path': path,
        'query': query_in, 'headers': [list(h) for h in headers],
        'body': body, 'region': region, 'service': service,
        'time': int(when.replace(tzinfo=datetime.timezone.utc).timestamp()),
        'access_key_id': key, 'secret_access_key': secret,
        'session_token': token, 'unsigned_payload': unsigned,
        'want_date': request.headers['X-Amz-Date'],
        'want_authorization': request.headers['Authorization'],
    }


def presign_case(rng, idx):
    region = rng.choice(REGIONS)
    service = rng.choice(['elasticache', 'sts', 'rds-db', 'execute-api'])
    host = host_for(rng, service, region)
    path = random_path(rng) if rng.random() < 0.5 else '/'
    params = {}
    if service == 'elasticache' and rng.random() < 0.5:
        params = {'Action': 'connect', 'User': text(rng, 1, 10, (ALNUM,))}
    for key, value in random_params(rng, 0, 5):
        params[key] = value
    headers = [(rng.choice(['Host', 'host']), host)]
    if rng.random() < 0.3:
        headers += [h for h in random_headers(rng)
                    if h[0].lower() not in ('user-agent', 'x-amzn-trace-id')]
    key, secret, token = random_credentials(rng)
    expires = rng.choice([900, 3600, 604800, rng.randint(1, 604800)])
    when = datetime.datetime(2015, 1, 1) + datetime.timedelta(
        seconds=rng.randint(0, 20 * 365 * 86400))

    request = AWSRequest(method='GET', url='https://%s%s' % (host, path),
                         params=dict(params))
    for name, value in headers:
        request.headers[name] = value
    signed_at(SigV4QueryAuth(Credentials(key, secret, token), service, region,
                             expires=expires), request, when)
    final_query = request.url.split('?', 1)[1]
    query_in = percent_encode_sequence(params) if params else ''
    assert final_query.startswith(query_in + '&' if query_in else 'X-Amz-')
    return {
        'id': idx, 'mode': 'query', 'method': 'GET', 'path': path,
        'query': query_in, 'headers': [list(h) for h in headers], 'body': '',
        'region': region, 'service': service,
        'time': int(when.replace(tzinfo=datetime.timezone.utc).timestamp()),
        'access_key_id': key, 'secret_access_key': secret,
        'session_token': token, 'expires': expires,
        'want_query': final_query,
    }


def generate(seed, n_headers, n_presign):
    rng = random.Random(seed)
    cases = [header_case(rng, i) for i in range(n_headers)]
    cases += [presign_case(rng, n_headers + i) for i in range(n_presign)]
    head = {
        'generator': 'tests/sigv4_botocore_check.py',
        'botocore_version': botocore.__version__,
        'seed': seed,
        'note': 'random test credentials, not real ones',
    }
    # One case per line: compact, yet diffs stay readable.
    lines = [json.dumps(c, ensure_ascii=False, separators=(',', ':'))
             for c in cases]
    return (json.dumps(head, ensure_ascii=False)[:-1] + ',\n"cases":[\n' +
            ',\n'.join(lines) + '\n]}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=20261122)
    ap.add_argument('--headers', type=int, default=150)
    ap.add_argument('--presign', type=int, default=70)
    ap.add_argument('--out', default=DEFAULT_OUT)
    ap.add_argument('--check', action='store_true',
                    help='regenerate in memory and compare with --out')
    args = ap.parse_args()
    data = generate(args.seed, args.headers, args.presign)
    if args.check:
        with open(args.out, encoding='utf-8') as f:
            same = f.read() == data
        print('%s: %s' % (args.out, 'up to date' if same else 'DIFFERS'))
        return 0 if same else 1
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(data)
    print('wrote %s (%d bytes, %d cases)' % (
        args.out, len(data.encode('utf-8')), args.headers + args.presign))
    return 0


if __name__ == '__main__':
    sys.exit(main())
