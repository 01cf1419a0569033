// 销售额 = 流量 × 客单价 × 转化率 × 复购率 (seed 001): each factor as measured in the period.
import { Card, Col, Row, Statistic, Tooltip, Typography } from 'antd'
import { InfoCircleOutlined } from '@ant-design/icons'
import type { PeriodReport } from '../../../../shared/reports/contracts'
import { formatCount, formatFen, formatPercent } from '../../format'

function Factor({
  title,
  value,
  hint,
  testId,
}: {
  title: string
  value: string
  hint: string
  testId: string
}) {
  return (
    <Statistic
      title={
        <span>
          {title}{' '}
          <Tooltip title={hint}>
            <InfoCircleOutlined />
          </Tooltip>
        </span>
      }
      valueRender={() => <span data-testid={testId}>{value}</span>}
    />
  )
}

const times = (
  <Typography.Text type="secondary" style={{ fontSize: 22, lineHeight: '64px' }}>
    ×
  </Typography.Text>
)

export function SalesDecomposition({ sales }: { sales: PeriodReport['sales'] }) {
  return (
    <Card
      title="销售额拆解"
      extra={<Typography.Text type="secondary">销售额 = 流量 × 客单价 × 转化率 × 复购率</Typography.Text>}
    >
      <Row gutter={[8, 16]} align="top" wrap={false} style={{ overflowX: 'auto' }}>
        <Col flex="1 1 0">
          <Factor
            title="销售额"
            value={formatFen(sales.salesFen)}
            hint="期间内已支付订单的实收金额（扣除退款）"
            testId="sales-total"
          />
        </Col>
        <Col flex="none">
          <Typography.Text type="secondary" style={{ fontSize: 22, lineHeight: '64px' }}>
            =
          </Typography.Text>
        </Col>
        <Col flex="1 1 0">
          <Factor
            title="流量"
            value={`${formatCount(sales.traffic)} 人`}
            hint="期间内有任何互动或购买的会员数"
            testId="sales-traffic"
          />
        </Col>
        <Col flex="none">{times}</Col>
        <Col flex="1 1 0">
          <Factor
            title="客单价"
            value={sales.averageOrderFen === null ? '—' : formatFen(sales.averageOrderFen)}
            hint="销售额 ÷ 订单数"
            testId="sales-aov"
          />
        </Col>
        <Col flex="none">{times}</Col>
        <Col flex="1 1 0">
          <Factor
            title="转化率"
            value={formatPercent(sales.conversionRate)}
            hint="购买人数 ÷ 流量"
            testId="sales-conversion"
          />
        </Col>
        <Col flex="none">{times}</Col>
        <Col flex="1 1 0">
          <Factor
            title="复购率"
            value={formatPercent(sales.repurchaseRate)}
            hint="期间内下单 2 次及以上的人数 ÷ 购买人数"
            testId="sales-repurchase"
          />
        </Col>
      </Row>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
        购买人数 <b data-testid="sales-buyers">{formatCount(sales.buyers)}</b> 人 · 订单{' '}
        <b data-testid="sales-orders">{formatCount(sales.orders)}</b> 笔 · 复购人数{' '}
        <b>{formatCount(sales.repeatBuyers)}</b> 人 · 人均购买{' '}
        <b>{sales.ordersPerBuyer === null ? '—' : sales.ordersPerBuyer.toFixed(2)}</b>{' '}
        次。复购率越高，人均购买次数越多： 流量 × 转化率 × 人均购买次数 × 客单价 = 销售额。
      </Typography.Paragraph>
    </Card>
  )
}
