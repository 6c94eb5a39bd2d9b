import { randomUUID } from "node:crypto";
import {
  AlertSilenceSpec,
  type AlertChannelSpec,
  type AlertChannelView,
  type AlertDeliveryView,
  type AlertSilenceView,
  type WebhookPayload,
} from "../contract";
import type { PrismaClient } from "../generated/prisma/client";
import { alertAdminTransaction, AlertAdminError, audit, type AlertAdminContext } from "./admin-tx";
import { sealSecret } from "./crypto";

type ChannelRow = { id: string; name: string; url: string; enabled: boolean; createdAt: Date };
const channelView = (c: ChannelRow): AlertChannelView => ({
  id: c.id,
  name: c.name,
  url: c.url,
  enabled: c.enabled,
  createdAt: c.createdAt.toISOString(),
});
// The audit log shows what changed, never the secret.
const auditable = (c: ChannelRow) => ({ name: c.name, url: c.url, enabled: c.enabled });

export async function listChannels(prisma: PrismaClient): Promise<AlertChannelView[]> {
  return (await prisma.alertChannel.findMany({ orderBy: { name: "asc" } })).map(channelView);
}

export async function createChannel(
  ctx: AlertAdminContext,
  spec: AlertChannelSpec,
): Promise<AlertChannelView> {
  if (!spec.secret) throw new AlertAdminError("invalid", "secret: required for a new channel", "secret");
  const secretSealed = sealSecret(ctx.masterSecret, spec.secret);
  return alertAdminTransaction(ctx, async (tx) => {
    const id = randomUUID();
    const row = await tx.alertChannel.create({
      data: { id, name: spec.name, url: spec.url, enabled: spec.enabled, secretSealed },
    });
    await audit(
      tx,
      ctx.actor,
      "alert_channel.create",
      { type: "alert_channel", id, label: spec.name },
      null,
      auditable(row),
    );
    return channelView(row);
  });
}

export async function updateChannel(
  ctx: AlertAdminContext,
  id: string,
  spec: AlertChannelSpec,
): Promise<AlertChannelView> {
  return alertAdminTransaction(ctx, async (tx) => {
    const before = await tx.alertChannel.findUnique({ where: { id } });
    if (!before) throw new AlertAdminError("not_found", `no channel with id ${id}`);
    const row = await tx.alertChannel.update({
      where: { id },
      data: {
        name: spec.name,
        url: spec.url,
        enabled: spec.enabled,
        updatedAt: new Date(),
        ...(spec.secret ? { secretSealed: sealSecret(ctx.masterSecret, spec.secret) } : {}),
      },
    });
    const after = { ...auditable(row), secretChanged: Boolean(spec.secret) };
    await audit(
      tx,
      ctx.actor,
      "alert_channel.update",
      { type: "alert_channel", id, label: row.name },
      auditable(before),
      after,
    );
    return channelView(row);
  });
}

export async function deleteChannel(ctx: AlertAdminContext, id: string): Promise<boolean> {
  return alertAdminTransaction(ctx, async (tx) => {
    const before = await tx.alertChannel.findUnique({ where: { id } });
    if (!before) return false;
    await tx.alertChannel.delete({ where: { id } });
    await audit(
      tx,
      ctx.actor,
      "alert_channel.delete",
      { type: "alert_channel", id, label: before.name },
      auditable(before),
      null,
    );
    return true;
  });
}

/** Queues a test notification to one channel; the scheduler sends it like any other delivery. */
export async function queueTestDelivery(
  prisma: PrismaClient,
  id: string,
  publicUrl: string,
): Promise<string | null> {
  const channel = await prisma.alertChannel.findUnique({ where: { id } });
  if (!channel) return null;
  const payload: WebhookPayload = {
    rule: { id: "test", name: "Test notification", severity: "info", version: 0 },
    instance: "test",
    group: "",
    state: "firing",
    previous: "normal",
    value: null,
    threshold: null,
    at: new Date().toISOString(),
    url: `${publicUrl}/alerts`,
    kind: "test",
  };
  const delivery = await prisma.alertDelivery.create({ data: { id: randomUUID(), channelId: id, payload } });
  await prisma.$executeRaw`SELECT pg_notify('alert_deliveries', ${delivery.id})`;
  return delivery.id;
}

export async function listDeliveries(
  prisma: PrismaClient,
  channelId: string,
  limit = 50,
): Promise<AlertDeliveryView[]> {
  const rows = await prisma.alertDelivery.findMany({
    where: { channelId },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
  return rows.map((d) => {
    const p = d.payload as Partial<WebhookPayload>;
    return {
      id: d.id,
      channelId: d.channelId,
      eventId: d.eventId,
      status: d.status as AlertDeliveryView["status"],
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      responseExcerpt: d.responseExcerpt,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      summary: `${p.kind ?? "?"}: ${p.rule?.name ?? "?"}${p.group ? ` [${p.group}]` : ""} ${p.previous ?? "?"} → ${p.state ?? "?"}`,
    };
  });
}

export async function listSilences(prisma: PrismaClient): Promise<AlertSilenceView[]> {
  const rows = await prisma.alertSilence.findMany({ orderBy: { createdAt: "desc" } });
  return rows.flatMap((s) => {
    const spec = AlertSilenceSpec.safeParse(s.spec);
    return spec.success
      ? [{ id: s.id, spec: spec.data, createdBy: s.createdBy, createdAt: s.createdAt.toISOString() }]
      : [];
  });
}

export async function createSilence(
  ctx: AlertAdminContext,
  spec: AlertSilenceSpec,
): Promise<AlertSilenceView> {
  return alertAdminTransaction(ctx, async (tx) => {
    const id = randomUUID();
    const label = spec.matchers.map((m) => `${m.label}=${m.value}`).join(", ");
    const row = await tx.alertSilence.create({ data: { id, spec, createdBy: ctx.actor.name } });
    await audit(tx, ctx.actor, "alert_silence.create", { type: "alert_silence", id, label }, null, spec);
    return { id, spec, createdBy: row.createdBy, createdAt: row.createdAt.toISOString() };
  });
}

export async function deleteSilence(ctx: AlertAdminContext, id: string): Promise<boolean> {
  return alertAdminTransaction(ctx, async (tx) => {
    const before = await tx.alertSilence.findUnique({ where: { id } });
    if (!before) return false;
    await tx.alertSilence.delete({ where: { id } });
    await audit(
      tx,
      ctx.actor,
      "alert_silence.delete",
      { type: "alert_silence", id, label: id },
      before.spec,
      null,
    );
    return true;
  });
}
