-- One default loss mapping per enterprise, held by the database against two admins saving at once.
-- (Prisma cannot express a partial unique index; see the comment on LossMapping in schema.prisma.)
-- Where an earlier race left two, the newest stays the default.
UPDATE "LossMapping" m SET "isDefault" = false
WHERE m."isDefault" AND EXISTS (
  SELECT 1 FROM "LossMapping" o
  WHERE o."enterpriseId" = m."enterpriseId" AND o."isDefault" AND (o."createdAt", o."id") > (m."createdAt", m."id")
);

CREATE UNIQUE INDEX "LossMapping_one_default_per_enterprise" ON "LossMapping"("enterpriseId") WHERE "isDefault";
