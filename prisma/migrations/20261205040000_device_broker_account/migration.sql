-- CreateTable: a device's own account on its site's factory broker (multi-site topology), made from
-- the dashboard's "Connect a machine" page. Only Mosquitto's hash line is kept; the password was shown once.
CREATE TABLE "DeviceBrokerAccount" (
    "machineKey" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "passwdLine" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeviceBrokerAccount_pkey" PRIMARY KEY ("machineKey")
);

CREATE UNIQUE INDEX "DeviceBrokerAccount_username_key" ON "DeviceBrokerAccount"("username");
