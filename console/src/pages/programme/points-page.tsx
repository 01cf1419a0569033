// 积分管理: a member's points ledger with manual adjustments, the bulk import (CSV or Excel, every bad
// row named before anything is written) and the points lapsing in the next 30 days.
import { useState } from 'react'
import { Space, Typography } from 'antd'
import { PointsExpiring } from './points-expiring'
import { PointsImport } from './points-import'
import { PointsLedger } from './points-ledger'

export default function PointsPage() {
  const [version, setVersion] = useState(0)
  return (
    <div data-testid="points-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        积分管理
      </Typography.Title>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        <PointsLedger key={`ledger:${version}`} />
        <PointsImport onImported={() => setVersion((v) => v + 1)} />
        <PointsExpiring key={`expiring:${version}`} />
      </Space>
    </div>
  )
}
