"""The automation that turns `wirewatch.figure.changed` events into a notification: a Prefect
Webhook block pointing at `WIREWATCH_NOTIFY_WEBHOOK_URL` and an automation that calls it with
the event's payload (claimant, metric, subject, previous, new, URL) as JSON.

`wirewatch serve` creates (or replaces) both on start when the setting is set; the same can be
done by hand in the Prefect UI (Automations -> New), see the README.
"""

from __future__ import annotations

from uuid import UUID

from wirewatch.ingest.notify import FIGURE_CHANGED

NAME = "wirewatch-figure-changed"
PAYLOAD = (
    '{"event": "{{ event.event }}", "resource": "{{ event.resource.id }}", '
    '"occurred": "{{ event.occurred }}", "payload": {{ event.payload | tojson }}}'
)


async def delete_automation(name: str) -> None:
    """Delete the automation of that name, if there is one (ours are replaced, never doubled)."""
    from prefect.automations import Automation

    try:
        old = await Automation.aread(name=name)
        await old.adelete()
    except ValueError:
        pass  # none yet


async def ensure_figure_automation(webhook_url: str) -> UUID:
    """Create or replace the webhook block and the automation; return the automation's id."""
    from prefect.automations import Automation, CallWebhook, EventTrigger, Posture
    from prefect.blocks.webhook import Webhook

    # loopback and LAN receivers (a local notifier) are the point here, so private URLs are allowed
    block = Webhook(url=webhook_url, method="POST", allow_private_urls=True)
    block_id = await block.asave(NAME, overwrite=True)
    await delete_automation(NAME)
    automation = await Automation(
        name=NAME,
        description="POST every wirewatch.figure.changed event to the configured webhook.",
        trigger=EventTrigger(
            expect={FIGURE_CHANGED},
            match={"prefect.resource.id": "wirewatch.event.*"},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[CallWebhook(block_document_id=block_id, payload=PAYLOAD)],
    ).acreate()
    if automation.id is None:  # the server assigns it; None would be Prefect's bug
        raise RuntimeError(f"automation {NAME!r} was created without an id")
    return automation.id
