-- CreateIndex
CREATE INDEX "RequestLog_appId_at_idx" ON "RequestLog"("appId", "at");

