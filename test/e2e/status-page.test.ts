// The status page in headless Chromium: an in-process federation, the aggregator's page shows members, a round's progress and its outcome.
// FEDAGG_STATUS_SCREENSHOT=<file> also saves a screenshot of the page with the decided round (docs/status-page.png comes from here).
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { startControlServer } from '../../node/control/server.ts'
import type { ControlServer } from '../../node/control/server.ts'
import { createStatusView } from '../../node/control/status-view.ts'
import type { StatusView } from '../../node/control/status-view.ts'
import { startFederation, submitOnceProven } from '../helpers/federation.ts'
import type { TestFederation } from '../helpers/federation.ts'

const CHROMIUM = '/usr/bin/chromium'
/** The page polls every 2 s; a loaded machine may take several polls to show a change. */
const PAGE_WAIT_MS = 30_000

describe('status page in Chromium', function () {
  this.timeout(120_000)
  let federation: TestFederation | undefined
  let control: ControlServer | undefined
  let view: StatusView | undefined
  let browser: BrowserContext | undefined
  let profile: string | undefined

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    skipped: ${CHROMIUM} is missing (npm run setup:test installs Debian's chromium)`)
      this.skip()
    }
    federation = await startFederation({ clients: 3 })
    const { aggregator } = federation
    view = createStatusView({ node: aggregator, connections: aggregator.peerConnections })
    control = await startControlServer({ node: aggregator, token: 'unused-by-the-page', statusView: view })
    profile = await mkdtemp(join(tmpdir(), 'fedagg-chromium-'))
    // A fresh profile (playwright passes it as --user-data-dir), removed in after().
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 640 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    })
  })

  after(async () => {
    await browser?.close()
    await control?.close()
    view?.close()
    await federation?.stop()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
  })

  it('shows the members, a round\'s contributions as they arrive and its outcome', async () => {
    const { coordinator, aggregator, clients } = federation!
    const page: Page = await browser!.newPage()
    const errors: string[] = []
    page.on('pageerror', err => { errors.push(err.message) })
    await page.goto(`${control!.url}/`)

    // Members: all five, the aggregator marked as this node, the others connected.
    const members = page.locator('#members tbody tr')
    await waitForText(page, '#members tbody', aggregator.peerId.slice(0, 8))
    assert.equal(await members.count(), 5)
    assert.match(await page.locator(`#members tr[data-peer-id="${aggregator.peerId}"]`).innerText(), /this node/)
    await waitForText(page, `#members tr[data-peer-id="${coordinator.peerId}"]`, 'connected')

    const round = await coordinator.openRound({ length: 3, encoding: 'int:32', minParticipants: 3, deadlineSeconds: 120, aggregator: aggregator.peerId })
    const row = `#rounds tr[data-round-id="${round.roundId}"]`
    await waitForText(page, row, '0 of 3 needed')
    assert.match(await page.locator(row).innerText(), /open/)
    assert.match(await page.locator(row).innerText(), /in \d+ (s|min)/)
    await submitOnceProven(clients[0]!, [1, 2, 3], round.roundId)
    await waitForText(page, row, '1 of 3 needed')
    await clients[1]!.submit([4, 5, 6], { roundId: round.roundId })
    await waitForText(page, row, '2 of 3 needed')
    await clients[2]!.submit([7, 8, 9], { roundId: round.roundId })
    const result = await coordinator.waitForResult(round.roundId, { signal: AbortSignal.timeout(60_000) })
    assert.equal(result.status, 'decrypted')

    await waitForText(page, row, 'decrypted')
    await page.reload()
    await waitForText(page, row, '3 of 3 needed')
    const text = await page.locator(row).innerText()
    assert.match(text, /decrypted/)
    assert.match(text, /deciding \d+/)
    assert.match(await page.locator('#key').innerText(), new RegExp(round.keyFingerprint))
    assert.match(await page.locator('#health').innerText(), /healthy \(connected\)/)
    assert.deepEqual(errors, [])

    const screenshot = process.env.FEDAGG_STATUS_SCREENSHOT
    if (screenshot !== undefined && screenshot !== '') await page.screenshot({ path: screenshot, fullPage: true })
  })
})

async function waitForText (page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).waitFor({ timeout: PAGE_WAIT_MS })
}
