#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`prepay meter COMMAND --protocol cjt188|modbus` against prepay-emu, over loopback TCP.

Usage: test_meter_protocols_cli.py PREPAY PREPAY_EMU EXAMPLES_DIR

Two emulators: examples/sites/water.json (on the bus: CJ/T 188 water meters 00000000000201, money
purse 10.00 yuan bought as purchase serial 1 at 3.00 yuan/m3, and 00000000000202, remote mode, no
purse; the DL/T 645 meter 000000000101) and examples/sites/water_modbus.json (the one CJ/T 188 meter
00000000000303 on the bus; Modbus units 1 and 2 on --modbus-port, map xintai-water). The site time
is never moved here, so the volumes stay 0 and the meters' clocks are what the tests write.
Expected values by hand:
- 201 reads purse serial 1, remaining 10.00 yuan, prices 3.00 / 3.00 / 3.00 yuan/m3, clock
  2026-11-01 00:00:00 (the site start) until time-sync writes 2026-11-03 07:15:30;
- recharge 2.50 yuan as serial S + 1 (S read from 8105) adds 2.50 to the remaining amount; the
  same serial again is "already credited" and adds nothing; serial S + 5 is refused (exit 1), as
  is any recharge of the remote meter 202 (it has no purse: abnormal reply);
- push-tariff of the Beijing water ladder (5 / 7 / 9 yuan/m3, bounds 180 and 260 m3) reads 8102
  back as exactly that (also verify-tariff with the file on stdin); verify-tariff against a 3 / 4
  yuan ladder bounded at 50 m3 finds 5 differences (3 prices, 2 steps) and exits 1; a TOU
  electricity tariff is refused before any byte is sent (exit 2); the 3 / 4 ladder pushed with
  --at 2026-11-20 gets start day 20 and leaves 5.00 in force;
- the wildcard read-address on the water_modbus bus finds 303 (the one CJ/T 188 meter there).
A third emulator (a site written here, BATCH_SITE) holds 401 and 402 (money, bought 10.00 and 20.00
yuan as serial 1), 403 a hot-water meter (type 11H, 5.00 yuan) and 404 counting purchase serials in
BCD (5.00 yuan):
- batch read over 401, 402 and the absent 409 (2 rounds): 2 ok, 1 timeout, exit 1; batch recharge
  (header with a protocol column: a dlt645 row is not one of the batch) credits 401 2.00 yuan (its
  amount column) and 402 1.00 yuan (the command's amount) as serial 2; the same file again is
  "already credited" for both and changes no purse;
- 403 does not answer requests of type 10H (the default): --meter-type 11 (or AA) reads it;
- 404 after the recharges 2..10 with --count-bcd has serial byte 10H (8105 shows 16, with
  --count-bcd 10); --count 11 without --count-bcd (binary: the next of 16 is 17) is refused, with it
  credited; 403 (binary) after the recharges 2..10 has serial 0AH, not BCD: --count-bcd refuses.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'field'))
import fieldlib  # noqa: E402  the emulator child process of the field tests

PREPAY = EMU = EXAMPLES = None
BUDGET = 60.0
M201, M202, M303 = '00000000000201', '00000000000202', '00000000000303'
M401, M402, M403, M404 = ('0000000000040%d' % i for i in range(1, 5))
BATCH_SITE = {
    'format': 'prepay-site/1', 'name': 'batch of water meters', 'start': '2026-11-01 00:00',
    'meters': [{'address': '000000000501'}],
    'water_meters': [{'address': M401, 'purse': '10.00'}, {'address': M402, 'purse': '20.00'},
                     {'address': M403, 'purse': '5.00', 'type': 17},
                     {'address': M404, 'purse': '5.00', 'serial_bcd': True}]}


def values(out):
    """name -> value of a JSON result (the last value of a name wins)."""
    return {v['name']: v['value'] for v in out['values']}


class MeterProtocolsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.water = fieldlib.Emulator(EMU, os.path.join(EXAMPLES, 'sites', 'water.json'), '--bus-port', '0')
        cls.modbus_site = fieldlib.Emulator(EMU, os.path.join(EXAMPLES, 'sites', 'water_modbus.json'),
                                            '--bus-port', '0', '--modbus-port', '0',
                                            ready=('bus_port', 'modbus_port'))
        cls.bus = '127.0.0.1:' + cls.water.info['bus_port']
        cls.lone_bus = '127.0.0.1:' + cls.modbus_site.info['bus_port']
        cls.modbus = '127.0.0.1:' + cls.modbus_site.info['modbus_port']
        cls.tmp = tempfile.TemporaryDirectory(prefix='prepay-protocols-')
        site = dict(BATCH_SITE, tariff=os.path.join(os.path.abspath(EXAMPLES), 'tariffs',
                                                    'zhejiang_residential_tou.json'))
        path = os.path.join(cls.tmp.name, 'batch_site.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(site, f)
        cls.batch_site = fieldlib.Emulator(EMU, path, '--bus-port', '0')
        cls.batch_bus = '127.0.0.1:' + cls.batch_site.info['bus_port']

    @classmethod
    def tearDownClass(cls):
        for emu in ('water', 'modbus_site', 'batch_site'):
            if hasattr(cls, emu):
                getattr(cls, emu).stop()
        cls.tmp.cleanup()

    def run_cli(self, *args, expect=0, stdin=None):
        run = subprocess.run([PREPAY, 'meter', *args], capture_output=True, text=True, timeout=BUDGET, input=stdin)
        self.assertEqual(run.returncode, expect, f'{args}: {run.stdout}{run.stderr}')
        return run

    def json(self, *args, expect=0):
        run = self.run_cli(*args, '--json', expect=expect)
        return json.loads(run.stdout.splitlines()[0]) if run.stdout else None

    def cjt(self, meter=M201):
        return ['--tcp', self.bus, '--protocol', 'cjt188', '--address', meter]

    def mb(self, unit):
        return ['--tcp=' + self.modbus, '--protocol=modbus', '--unit=%d' % unit]

    # ---- CJ/T 188 ------------------------------------------------------------------------------

    def test_read(self):
        out = self.json('read', *self.cjt())
        self.assertEqual((out['protocol'], out['meter']), ('cjt188', M201))
        v = values(out)
        self.assertEqual((v['volume'], v['valve']), ('0.000', 'open'))
        self.assertRegex(v['clock'], r'^2026-11-\d\d \d\d:\d\d:\d\d$')
        v = values(self.json('read', *self.cjt(), 'prices', 'settlement-day', 'D120'))
        self.assertEqual((v['settlement day'], v['settlement-day volume, 1 month ago']), ('1', 'none'))
        text = self.run_cli('read', *self.cjt(), '8105').stdout
        self.assertIn(M201 + '  8105      purchase serial = ', text)
        self.assertIn('remaining = ', text)
        # the remote meter has no purse: the meter refuses, exit 1 naming the meter
        run = self.run_cli('read', *self.cjt(M202), 'purse', expect=1)
        self.assertIn(M202 + ': read the purse (8105): the meter refused', run.stderr)
        # options before the subcommand, DL/T 645 still the default on the same bus
        self.run_cli('--tcp', self.bus, '--protocol', 'cjt188', 'read', '--address', M202)
        self.assertIn('000000000101', self.run_cli('read', '--tcp', self.bus, 'energy').stdout)

    def test_read_address_and_discover(self):
        out = self.json('read-address', '--tcp', self.lone_bus, '--protocol', 'cjt188')
        self.assertEqual((out['meter'], values(out)['address']), (M303, M303))
        self.assertEqual(self.json('discover', '--tcp', self.lone_bus, '--protocol', 'cjt188')['meters'], [M303])
        out = self.json('discover', '--tcp', self.bus, '--protocol', 'cjt188', '--timeout', '200', '--retries', '0',
                        M201, M202, '00000000000299')
        self.assertEqual((out['meters'], out['probes']), ([M201, M202], 3))
        # no --address: the one meter of the line, found by the wildcard read-address
        self.assertEqual(self.json('read', '--tcp', self.lone_bus, '--protocol', 'cjt188')['meter'], M303)

    def test_time_sync(self):
        out = self.json('time-sync', *self.cjt(M202), '--time', '2026-11-03 07:15:30')
        v = values(out)
        self.assertEqual((v['time written'], v['clock']), ('2026-11-03 07:15:30', '2026-11-03 07:15:30'))
        self.assertEqual(values(self.json('read', *self.cjt(M202)))['clock'], '2026-11-03 07:15:30')

    def test_relay(self):
        v = values(self.json('relay', *self.cjt(M202), 'close'))
        self.assertEqual((v['valve command'], v['valve']), ('close', 'closed'))
        self.assertEqual(values(self.json('read', *self.cjt(M202)))['valve'], 'closed')
        text = self.run_cli('relay', *self.cjt(M202), 'open').stdout
        self.assertIn('valve = open', text)
        self.run_cli('relay', *self.cjt(M202), 'trip', expect=2)  # a DL/T 645 relay command

    def test_recharge(self):
        serial = int(values(self.json('read', *self.cjt(), 'purse'))['purchase serial'])
        before = values(self.json('read', *self.cjt(), 'purse'))['remaining']
        out = self.json('recharge', *self.cjt(), '2.50', '--count', str(serial + 1))
        v = values(out)
        self.assertEqual(v['recharge'], '2.50 yuan credited as purchase %d' % (serial + 1))
        self.assertEqual(v['remaining'], '%.2f' % (float(before) + 2.50))
        again = values(self.json('recharge', *self.cjt(), '2.50', '--count=%d' % (serial + 1)))
        self.assertEqual(again['recharge'], 'purchase %d was already credited: nothing written' % (serial + 1))
        self.assertEqual(again['remaining'], v['remaining'])
        run = self.run_cli('recharge', *self.cjt(), '2.50', '--count', str(serial + 5), expect=1)
        self.assertIn('does not follow the meter\'s serial %d (next is %d): nothing written' % (serial + 1, serial + 2),
                      run.stderr)
        self.assertEqual(values(self.json('read', *self.cjt(), 'purse'))['remaining'], v['remaining'])
        self.run_cli('recharge', *self.cjt(M202), '1.00', '--count=1', expect=1)  # remote mode: no purse
        self.run_cli('recharge', *self.cjt(), '1.00', expect=2)  # no --count
        self.run_cli('recharge', *self.cjt(), '1.00', '--count=256', expect=2)

    def test_push_and_verify_tariff(self):
        beijing = os.path.join(EXAMPLES, 'tariffs', 'beijing_water_residential.json')
        out = self.json('push-tariff', *self.cjt(), beijing)
        v = values(out)
        self.assertEqual((v['price 1'], v['price 2'], v['price 3'], v['step 1'], v['step 2'], v['verify']),
                         ('5.00', '7.00', '9.00', '180', '260', "the meter's price table is the tariff's"))
        v = values(self.json('verify-tariff', *self.cjt(), beijing))
        self.assertEqual((v['price 1'], v['step 2']), ('5.00', '260'))
        other = os.path.join(self.tmp.name, 'two_tiers.json')
        with open(other, 'w', encoding='utf-8') as f:
            json.dump({'format': 'prepay-tariff/1', 'name': 'two tiers', 'source': {'notice': 'a test ladder'},
                       'commodity': 'water', 'currency': 'CNY',
                       'bands': ['water'], 'prices': {'bands': {'water': ['3', '4']}},
                       'tiers': {'cycle': 'month', 'bounds': ['50']}}, f)
        run = self.run_cli('verify-tariff', *self.cjt(), other, expect=1)
        self.assertEqual(run.stdout.count('difference = '), 5)
        self.assertIn('price 1: meter 5.00, tariff 3.00 yuan/m3', run.stdout)
        self.assertIn('step 2: meter 260, tariff 50 m3', run.stdout)
        self.assertIn('differs from', run.stderr)
        electricity = os.path.join(EXAMPLES, 'tariffs', 'zhejiang_residential_tou.json')
        run = self.run_cli('push-tariff', *self.cjt(), electricity, expect=2)
        self.assertIn('a CJ/T 188 price table (3 prices, 2 steps) cannot hold this tariff', run.stderr)
        self.assertEqual(values(self.json('read', *self.cjt(), 'prices'))['price 1'], '5.00')  # nothing written
        with open(beijing, encoding='utf-8') as f:
            self.assertIn("verify = the meter's price table is the tariff's",
                          self.run_cli('verify-tariff', *self.cjt(), '-', stdin=f.read()).stdout)
        # --at: the table starts on that day (pending until then), so nothing is read back
        v = values(self.json('push-tariff', *self.cjt(), other, '--at', '2026-11-20 00:00'))
        self.assertEqual((v['price 1'], v['step 1'], v['start day']), ('3.00', '50', '20'))
        self.assertNotIn('verify', v)
        self.assertEqual(values(self.json('read', *self.cjt(), 'prices'))['price 1'], '5.00')  # still in force

    # ---- batch, meter type, BCD purchase serials ----------------------------------------------------

    def bcj(self, meter=None):
        return ['--tcp', self.batch_bus, '--protocol', 'cjt188'] + (['--address', meter] if meter else [])

    def site(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return path

    def lines(self, *args, expect=0):
        run = self.run_cli(*args, '--json', expect=expect)
        return [json.loads(line) for line in run.stdout.splitlines()], run.stderr

    def test_batch_read(self):
        path = self.site('read.csv', '%s\n%s\n00000000000409\n' % (M401, M402))
        out, err = self.lines('batch', path, 'read', *self.bcj(), '--timeout=200', '--retries=0', '--rounds=2',
                              expect=1)
        self.assertEqual([(o['ok'], o['meter'], o['status']) for o in out],
                         [(True, M401, 'ok'), (True, M402, 'ok'), (False, '00000000000409', 'timeout')])
        self.assertEqual((values(out[0])['volume'], values(out[1])['valve']), ('0.000', 'open'))
        self.assertEqual(out[2]['error']['message'],
                         '00000000000409: read 901F: no reply from the water meter within 200 ms')
        self.assertIn('batch of 3 meters in 2 rounds: 2 ok, 0 refused, 1 timeout, 0 link', err)
        run = self.run_cli('batch', path, 'read', 'purse', *self.bcj(), '--timeout=200', '--retries=0', expect=1)
        self.assertIn(M402 + '  8105      remaining = ', run.stdout)
        self.assertIn('00000000000409  timeout: read the purse (8105): no reply', run.stdout)
        # the commands a batch of water meters runs, the options it takes
        self.run_cli('batch', path, 'discover', *self.bcj(), expect=2)
        self.run_cli('batch', path, 'read', *self.bcj(M401), expect=2)  # the meters are the file's
        self.run_cli('batch', self.site('bad.csv', '12345\n'), 'read', *self.bcj(), expect=2)
        # verify-tariff: 401 has the free table (every price 0), so the Beijing ladder differs 5 times
        beijing = os.path.join(EXAMPLES, 'tariffs', 'beijing_water_residential.json')
        out, err = self.lines('batch', self.site('one.csv', M401 + '\n'), 'verify-tariff', beijing, *self.bcj(),
                              expect=1)
        self.assertEqual((out[0]['ok'], out[0]['status']), (False, 'different'))
        self.assertEqual([v['name'] for v in out[0]['values']].count('difference'), 5)
        self.assertIn('1 different', err)

    def test_batch_recharge(self):
        serial = {m: int(values(self.json('read', *self.bcj(m), 'purse'))['purchase serial']) for m in (M401, M402)}
        before = {m: float(values(self.json('read', *self.bcj(m), 'purse'))['remaining']) for m in (M401, M402)}
        # a protocol column: a dlt645 row is not one of this batch; an empty one is the batch's protocol
        path = self.site('recharge.csv', 'address,protocol,amount,count\n%s,cjt188,2.00,%d\n%s,,,%d\n'
                                         '000000000501,dlt645,,\n' % (M401, serial[M401] + 1, M402, serial[M402] + 1))
        results = os.path.join(self.tmp.name, 'results.csv')
        out, err = self.lines('batch', path, 'recharge', '1.00', *self.bcj(), '--results', results)
        self.assertEqual([o['meter'] for o in out], [M401, M402])
        self.assertEqual(values(out[0])['recharge'], '2.00 yuan credited as purchase %d' % (serial[M401] + 1))
        self.assertEqual(values(out[1])['recharge'], '1.00 yuan credited as purchase %d' % (serial[M402] + 1))
        self.assertEqual(values(out[0])['remaining'], '%.2f' % (before[M401] + 2))
        self.assertEqual(values(out[1])['remaining'], '%.2f' % (before[M402] + 1))
        self.assertIn('batch of 2 meters in 1 round: 2 ok', err)
        with open(results, encoding='utf-8') as f:
            rows = f.read().splitlines()
        self.assertEqual(rows[0], 'meter,dtu,status,error,rounds,di,name,value,unit')
        self.assertIn('%s,,ok,,1,8105,remaining,%.2f,yuan' % (M402, before[M402] + 1), rows)
        again, _ = self.lines('batch', path, 'recharge', '1.00', *self.bcj())
        for o, m in zip(again, (M401, M402)):
            self.assertEqual(values(o)['recharge'], 'purchase %d was already credited: nothing written'
                             % (serial[m] + 1))
        self.assertEqual([values(o)['remaining'] for o in again], [values(o)['remaining'] for o in out])
        # no count for a meter: that meter fails, the others go on; a count a CJ/T 188 serial cannot hold: exit 2
        run = self.run_cli('batch', self.site('nocount.csv', M401 + '\n'), 'recharge', '1.00', *self.bcj(),
                           expect=1)
        self.assertIn(M401 + '  failed: no purchase count (--count or a count column)', run.stdout)
        self.run_cli('batch', self.site('big.csv', M401 + ',,1.00,256\n'), 'recharge', '1.00', *self.bcj(),
                     expect=2)

    def test_batch_modbus(self):
        path = self.site('units.csv', '1\n2\n')
        out, err = self.lines('batch', path, 'relay', 'close', '--tcp', self.modbus, '--protocol', 'modbus')
        self.assertEqual([(o['meter'], values(o)['valve']) for o in out], [('unit 1', 'closed'), ('unit 2', 'closed')])
        out, _ = self.lines('batch', path, 'relay', 'open', '--tcp', self.modbus, '--protocol', 'modbus')
        self.assertEqual([values(o)['valve'] for o in out], ['open', 'open'])
        self.assertIn('batch of 2 meters in 1 round: 2 ok', err)
        run = self.run_cli('batch', path, 'read', 'valve', '--tcp', self.modbus, '--protocol', 'modbus')
        self.assertIn('unit 2  001C      valve = open', run.stdout)
        self.run_cli('batch', self.site('unit0.csv', '0\n'), 'read', '--tcp', self.modbus, '--protocol', 'modbus',
                     expect=2)

    def test_meter_type(self):
        run = self.run_cli('read', *self.bcj(M403), '--timeout=200', '--retries=0', expect=1)
        self.assertIn('no reply', run.stderr)  # the meter answers only its own type (or AA)
        self.assertEqual(self.json('read', *self.bcj(M403), '--meter-type', '11')['meter'], M403)
        self.assertEqual(self.json('read', *self.bcj(M403), '--meter-type=AA', 'purse')['values'],
                         self.json('read', *self.bcj(M403), '--meter-type=11', 'purse')['values'])
        out, _ = self.lines('batch', self.site('hot.csv', M403 + '\n'), 'read', *self.bcj(), '--meter-type=11')
        self.assertEqual((out[0]['meter'], out[0]['status']), (M403, 'ok'))
        for bad in ('14', '1', '0x11', 'GG', '50'):
            with self.subTest(meter_type=bad):
                run = self.run_cli('read', *self.bcj(M403), '--meter-type', bad, expect=2)
                self.assertIn('--meter-type %s: 2 hex digits' % bad, run.stderr)
        self.run_cli('read', *self.mb(1), '--meter-type=10', expect=2)
        self.run_cli('read', '--tcp', self.bus, '--meter-type=10', 'energy', expect=2)

    def test_count_bcd(self):
        for n in range(2, 11):
            self.json('recharge', *self.bcj(M404), '0.01', '--count', str(n), '--count-bcd')
        self.assertEqual(values(self.json('read', *self.bcj(M404), 'purse'))['purchase serial'], '16')  # 10H
        self.assertEqual(values(self.json('read', *self.bcj(M404), 'purse', '--count-bcd'))['purchase serial'], '10')
        run = self.run_cli('recharge', *self.bcj(M404), '0.01', '--count=11', expect=1)
        self.assertIn("purchase serial 11 does not follow the meter's serial 16 (next is 17): nothing written",
                      run.stderr)
        run = self.run_cli('recharge', *self.bcj(M404), '0.01', '--count=12', '--count-bcd', expect=1)
        self.assertIn("does not follow the meter's serial 10 (next is 11, BCD)", run.stderr)
        v = values(self.json('recharge', *self.bcj(M404), '0.01', '--count=11', '--count-bcd'))
        self.assertEqual((v['recharge'], v['remaining']), ('0.01 yuan credited as purchase 11', '5.10'))
        v = values(self.json('recharge', *self.bcj(M404), '0.01', '--count=11', '--count-bcd'))
        self.assertEqual(v['recharge'], 'purchase 11 was already credited: nothing written')
        self.run_cli('recharge', *self.bcj(M404), '0.01', '--count=100', '--count-bcd', expect=2)
        # a binary meter past 09: its serial byte is not BCD
        for n in range(2, 11):
            self.json('recharge', *self.bcj(M403), '0.01', '--count', str(n), '--meter-type=11')
        self.assertEqual(values(self.json('read', *self.bcj(M403), 'purse', '--meter-type=11', '--count-bcd'))
                         ['purchase serial'], '0AH (not BCD)')
        run = self.run_cli('recharge', *self.bcj(M403), '0.01', '--count=11', '--count-bcd', '--meter-type=11',
                           expect=1)
        self.assertIn("the meter's purchase serial 0A is not BCD (--count-bcd): nothing written", run.stderr)
        self.run_cli('recharge', *self.mb(1), '0.01', '--count=1', '--count-bcd', expect=2)

    # ---- Modbus --------------------------------------------------------------------------------

    def test_modbus(self):
        out = self.json('read', *self.mb(1))
        self.assertEqual((out['protocol'], out['unit'], out['map']), ('modbus', 1, 'xintai-water'))
        v = values(out)
        self.assertEqual((v['forward_volume'], v['valve'], v['slave_address']), ('0.000', 'open', '1'))
        v = values(self.json('read', *self.mb(2), 'valve', 'forward_volume'))
        self.assertEqual(sorted(v), ['forward_volume', 'valve'])
        v = values(self.json('relay', *self.mb(2), 'close'))
        self.assertEqual((v['valve command'], v['valve']), ('close', 'closed'))
        self.assertEqual(values(self.json('read', *self.mb(2), 'valve'))['valve'], 'closed')
        self.assertEqual(values(self.json('read', *self.mb(1), 'valve'))['valve'], 'open')  # the other one
        self.assertIn('valve = open', self.run_cli('relay', *self.mb(2), 'open').stdout)
        run = self.run_cli('recharge', *self.mb(1), '5.00', '--count=1', expect=2)
        self.assertEqual(run.stderr.strip(), 'prepay meter recharge: not defined by the map xintai-water '
                                             '(it has no purchase register)')
        self.run_cli('relay', *self.mb(1), '--map=ddsy1352', 'close', expect=2)
        self.run_cli('read', *self.mb(1), 'no_such_register', expect=2)
        run = self.run_cli('read', *self.mb(9), '--timeout=200', '--retries=0', expect=1)
        self.assertIn('no reply from unit 9', run.stderr)

    # ---- commands a protocol does not define -------------------------------------------------------

    def test_undefined_commands_refused(self):
        for protocol, bus, commands in (
                ('cjt188', self.bus, [['freeze'], ['events'], ['write', '04001001', '20.00']]),
                ('modbus', self.modbus, [['read-address'], ['discover'], ['time-sync'], ['freeze'], ['events'],
                                         ['push-tariff', 'x.json'], ['verify-tariff', 'x.json']])):
            for command in commands:
                with self.subTest(protocol=protocol, command=command[0]):
                    run = self.run_cli(command[0], '--tcp', bus, '--protocol', protocol, *command[1:], expect=2)
                    self.assertEqual(run.stderr, 'prepay meter %s: not defined for --protocol %s\n'
                                     % (command[0], protocol))
                    self.assertEqual(run.stdout, '')
        run = self.run_cli('batch', '-', 'freeze', '--tcp', self.bus, '--protocol', 'cjt188', expect=2, stdin=M201)
        self.assertIn('batch --protocol cjt188 runs read, time-sync, relay, recharge, push-tariff or verify-tariff, '
                      "not 'freeze'", run.stderr)
        run = self.run_cli('batch', '-', 'time-sync', '--tcp', self.modbus, '--protocol', 'modbus', expect=2,
                           stdin='1\n')
        self.assertIn("batch --protocol modbus runs read or relay, not 'time-sync'", run.stderr)
        self.run_cli('read', *self.cjt(), '--password=02:123456', expect=2)  # a DL/T 645 option
        self.run_cli('read', '--tcp', self.bus, '--unit=1', 'energy', expect=2)  # a Modbus option on DL/T 645
        # Water meters behind DTUs are reached with --listen and --dtu (tests/field/test_field_dtu.py): without
        # --dtu, or with a second bus, the command line is refused before anything opens.
        self.assertIn('--listen needs --dtu', self.run_cli('read', '--listen', '0', '--protocol', 'cjt188',
                                                           expect=2).stderr)
        self.run_cli('read', '--listen', '0', '--dtu', 'x', '--tcp', self.bus, '--protocol', 'cjt188', expect=2)
        self.run_cli('read', '--tcp', self.modbus, '--protocol', 'modbus', '--address', M201, expect=2)
        self.run_cli('read', '--tcp', self.bus, '--protocol', 'cjt188', '--address', '12345', expect=2)
        self.assertIn('--protocol dlt645|cjt188|modbus', self.run_cli('relay', '--help').stdout)


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit('usage: test_meter_protocols_cli.py PREPAY PREPAY_EMU EXAMPLES_DIR')
    PREPAY, EMU, EXAMPLES = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1] + sys.argv[4:])
