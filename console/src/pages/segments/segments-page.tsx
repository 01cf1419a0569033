// 会员分群: the ready-made segments with their sizes; a builder over every filter the API supports with
// the live count and a preview (the filter lives in the URL, ?filter=…); saved segments; exports as
// CSV or XLSX; and "用于活动", which opens the campaigns section with the segment chosen.
import { useEffect, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Dropdown,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { DeleteOutlined, DownloadOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useSearchParams } from 'react-router'
import { api, unwrap } from '../../api/client'
import { errorMessage, QueryView } from '../../api/query'
import type { Body } from '../../api/types'
import { FormModal } from '../../components/form-modal'
import { exportTable, type ExportFormat } from '../../export'
import { formatCount, formatDateTime, formatFen } from '../../format'
import { label, repurchaserKindLabels, stageColors, stageLabels } from '../../labels'
import { useAccess } from '../../me'
import { blankCondition, ConditionEditor, fieldLabels, type Condition } from './condition-editor'

type Filter = Body<'/api/admin/segments/count', 'post'>['filter']
interface Draft {
  match: 'all' | 'any' | 'none'
  conditions: Condition[]
}

const emptyDraft: Draft = { match: 'all', conditions: [] }

function parseDraft(raw: string | null): Draft {
  if (!raw) return emptyDraft
  try {
    const v = JSON.parse(raw) as Partial<Draft>
    return {
      match: v.match === 'any' || v.match === 'none' ? v.match : 'all',
      conditions: Array.isArray(v.conditions) ? v.conditions : [],
    }
  } catch {
    return emptyDraft
  }
}

/** The value after it stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return settled
}

function ExportButton({
  onExport,
  testId,
}: {
  onExport: (format: ExportFormat) => Promise<unknown>
  testId: string
}) {
  const { message } = App.useApp()
  const run = (format: ExportFormat) =>
    onExport(format).then(
      (name) => message.success(`已导出 ${String(name)}`),
      (err: unknown) => message.error(errorMessage(err)),
    )
  return (
    <Dropdown
      menu={{
        items: [
          { key: 'csv', label: '导出 CSV' },
          { key: 'xlsx', label: '导出 Excel（XLSX）' },
        ],
        onClick: ({ key }) => void run(key as ExportFormat),
      }}
    >
      <Button size="small" icon={<DownloadOutlined />} data-testid={testId}>
        导出
      </Button>
    </Dropdown>
  )
}

function Builder({ draft, setDraft }: { draft: Draft; setDraft: (d: Draft) => void }) {
  const { can } = useAccess()
  const { message } = App.useApp()
  const client = useQueryClient()
  const [saving, setSaving] = useState(false)
  const [newField, setNewField] = useState<string | undefined>()
  const settled = useSettled(draft, 400)
  const filter = settled as unknown as Filter
  const count = useQuery({
    queryKey: ['segments', 'count', JSON.stringify(settled)],
    queryFn: ({ signal }) => unwrap(api.POST('/api/admin/segments/count', { body: { filter }, signal })),
    retry: false,
  })
  // Preview pages (the afterId of each), forgotten when the filter changes.
  const filterKey = JSON.stringify(settled)
  const [pages, setPages] = useState<{ key: string; after: number[] }>({ key: filterKey, after: [] })
  const after = pages.key === filterKey ? pages.after : []
  const setAfter = (a: number[]) => setPages({ key: filterKey, after: a })
  const preview = useQuery({
    queryKey: ['segments', 'members', JSON.stringify(settled), after.at(-1)],
    enabled: count.isSuccess,
    queryFn: ({ signal }) =>
      unwrap(
        api.POST('/api/admin/segments/members', {
          body: { filter, limit: 10, withTotal: false, ...(after.length ? { afterId: after.at(-1)! } : {}) },
          signal,
        }),
      ),
  })
  const setCondition = (i: number, c: Condition | null) =>
    setDraft({
      ...draft,
      conditions:
        c === null
          ? draft.conditions.filter((_, j) => j !== i)
          : draft.conditions.map((x, j) => (j === i ? c : x)),
    })

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap>
        <span>满足</span>
        <Select
          value={draft.match}
          style={{ width: 120 }}
          onChange={(m) => setDraft({ ...draft, match: m })}
          options={[
            { value: 'all', label: '全部条件' },
            { value: 'any', label: '任一条件' },
            { value: 'none', label: '都不满足' },
          ]}
          data-testid="segment-match"
        />
      </Space>
      {draft.conditions.map((c, i) => (
        <Card size="small" key={i} data-testid={`condition-${i}`}>
          <Space wrap align="center" style={{ width: '100%' }}>
            <Tag color="orange">{fieldLabels[c.field] ?? c.field}</Tag>
            <ConditionEditor value={c} onChange={(next) => setCondition(i, next)} />
            <Button
              size="small"
              type="text"
              danger
              icon={<DeleteOutlined />}
              aria-label="删除条件"
              onClick={() => setCondition(i, null)}
            />
          </Space>
        </Card>
      ))}
      <Space.Compact style={{ maxWidth: 360, width: '100%' }}>
        <Select
          placeholder="添加筛选条件"
          showSearch
          optionFilterProp="label"
          style={{ width: '100%' }}
          value={newField}
          onChange={setNewField}
          data-testid="condition-field"
          options={Object.entries(fieldLabels).map(([value, l]) => ({ value, label: l }))}
        />
        <Button
          icon={<PlusOutlined />}
          disabled={!newField}
          onClick={() => {
            if (!newField) return
            setDraft({ ...draft, conditions: [...draft.conditions, blankCondition(newField)] })
            setNewField(undefined)
          }}
          data-testid="condition-add"
        >
          添加
        </Button>
      </Space.Compact>

      <Card size="small">
        <Space wrap size={24} align="center">
          <Statistic
            title="符合条件的会员"
            loading={count.isFetching}
            valueRender={() => (
              <span data-testid="segment-count">{count.data ? formatCount(count.data.members) : '—'}</span>
            )}
          />
          {can('segments.edit') && (
            <Button
              type="primary"
              disabled={!count.isSuccess}
              onClick={() => setSaving(true)}
              data-testid="segment-save"
            >
              保存分群
            </Button>
          )}
          {can('segments.export') && (
            <ExportButton
              testId="segment-export"
              onExport={(format) =>
                exportTable('/api/admin/segments/export', format, {
                  method: 'POST',
                  body: { filter, name: '会员分群' },
                })
              }
            />
          )}
        </Space>
        {count.isError && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 12 }}
            message={errorMessage(count.error)}
            data-testid="segment-count-error"
            description={(count.error as { fields?: { path: string; message: string }[] }).fields?.map(
              (f) => (
                <div key={f.path}>
                  {f.path.replace(
                    /^body\.filter\.conditions\.(\d+)/,
                    (_, n: string) => `第 ${Number(n) + 1} 个条件`,
                  )}
                  ：{f.message}
                </div>
              ),
            )}
          />
        )}
      </Card>

      <Table
        size="small"
        rowKey="id"
        loading={preview.isFetching}
        dataSource={preview.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={false}
        locale={{ emptyText: '没有符合条件的会员' }}
        columns={[
          { title: '会员号', dataIndex: 'memberNo' },
          { title: '姓名', render: (_, m) => m.name ?? m.nickname ?? '—' },
          {
            title: '阶段',
            dataIndex: 'stage',
            render: (s: string) => (
              <Tag color={stageColors[s as keyof typeof stageColors]}>{label(stageLabels, s)}</Tag>
            ),
          },
          {
            title: '复购类型',
            dataIndex: 'repurchaserKind',
            render: (k: string | null) => label(repurchaserKindLabels, k),
          },
          { title: '城市', dataIndex: 'city', render: (c: string | null) => c ?? '—' },
          { title: '消费', dataIndex: 'spendFen', render: formatFen },
          { title: '最近购买', dataIndex: 'lastPaidAt', render: formatDateTime },
        ]}
        footer={() => (
          <Space>
            <Button size="small" disabled={!after.length} onClick={() => setAfter(after.slice(0, -1))}>
              上一页
            </Button>
            <Button
              size="small"
              disabled={!preview.data?.nextAfterId}
              onClick={() => preview.data?.nextAfterId && setAfter([...after, preview.data.nextAfterId])}
            >
              下一页
            </Button>
          </Space>
        )}
      />
      {saving && (
        <FormModal<{ name: string; description?: string }>
          title="保存分群"
          open
          onClose={() => setSaving(false)}
          testId="segment-save-modal"
          onSubmit={async (v) => {
            await unwrap(
              api.POST('/api/admin/segments', {
                body: {
                  name: v.name ?? '',
                  ...(v.description ? { description: v.description } : {}),
                  filter: draft as unknown as Filter,
                },
              }),
            )
            message.success('分群已保存')
            await client.invalidateQueries({ queryKey: ['segments', 'saved'] })
          }}
        >
          <Form.Item label="名称" name="name">
            <Input maxLength={50} placeholder="例如：近 30 天复购的上海会员" />
          </Form.Item>
          <Form.Item label="说明" name="description">
            <Input.TextArea rows={2} maxLength={200} />
          </Form.Item>
        </FormModal>
      )}
    </Space>
  )
}

export default function SegmentsPage() {
  const [params, setParams] = useSearchParams()
  const { can } = useAccess()
  const { message } = App.useApp()
  const client = useQueryClient()
  const tab = params.get('tab') ?? (params.get('filter') ? 'builder' : 'ready')
  // The builder edits its own state (a router navigation is a transition, so the URL lags behind
  // fast typing) and mirrors it into the URL, where a link or a reload finds it.
  const [draft, setDraftState] = useState(() => parseDraft(params.get('filter')))
  const setDraft = (d: Draft) => {
    setDraftState(d)
    const next = new URLSearchParams(params)
    next.set('filter', JSON.stringify(d))
    next.set('tab', 'builder')
    setParams(next, { replace: true })
  }
  const openInBuilder = (filter: unknown) => {
    setDraftState(parseDraft(JSON.stringify(filter)))
    setParams({ tab: 'builder', filter: JSON.stringify(filter) })
  }
  const readyMade = useQuery({
    queryKey: ['segments', 'ready-made'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/segments/ready-made', { signal })),
  })
  const saved = useQuery({
    queryKey: ['segments', 'saved'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/segments', { signal })),
  })
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/admin/segments/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      message.success('分群已删除')
      await client.invalidateQueries({ queryKey: ['segments', 'saved'] })
    },
    onError: (e) => message.error(errorMessage(e)),
  })
  const [forCampaign, setForCampaign] = useState<{ id: number; name: string } | null>(null)

  return (
    <Card
      title={
        <Typography.Title level={3} style={{ margin: 0 }}>
          会员分群
        </Typography.Title>
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(k) => {
          const next = new URLSearchParams(params)
          next.set('tab', k)
          setParams(next, { replace: true })
        }}
        items={[
          {
            key: 'ready',
            label: '常用分群',
            children: (
              <QueryView query={readyMade}>
                {(rows) => (
                  <Table
                    rowKey="code"
                    size="small"
                    dataSource={rows}
                    scroll={{ x: 'max-content' }}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    columns={[
                      {
                        title: '分群',
                        render: (_, s) => (
                          <Space direction="vertical" size={0}>
                            <Typography.Text strong>{s.name}</Typography.Text>
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {s.description}
                            </Typography.Text>
                          </Space>
                        ),
                      },
                      {
                        title: '人数',
                        dataIndex: 'members',
                        align: 'right',
                        render: (n: number, s) => (
                          <span data-testid={`ready-${s.code}`}>{formatCount(n)}</span>
                        ),
                      },
                      {
                        title: '操作',
                        render: (_, s) => (
                          <Space>
                            <Button size="small" onClick={() => openInBuilder(s.filter)}>
                              在构建器中打开
                            </Button>
                            {can('segments.export') && (
                              <ExportButton
                                testId={`ready-export-${s.code}`}
                                onExport={(format) =>
                                  exportTable(
                                    `/api/admin/segments/ready-made/${encodeURIComponent(s.code)}/export`,
                                    format,
                                  )
                                }
                              />
                            )}
                          </Space>
                        ),
                      },
                    ]}
                  />
                )}
              </QueryView>
            ),
          },
          { key: 'builder', label: '分群构建器', children: <Builder draft={draft} setDraft={setDraft} /> },
          {
            key: 'saved',
            label: '已保存的分群',
            children: (
              <QueryView query={saved} isEmpty={(r) => r.length === 0} empty="还没有保存的分群">
                {(rows) => (
                  <Table
                    rowKey="id"
                    size="small"
                    dataSource={rows}
                    scroll={{ x: 'max-content' }}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    columns={[
                      { title: '名称', dataIndex: 'name' },
                      { title: '说明', dataIndex: 'description', render: (d: string | null) => d ?? '—' },
                      { title: '更新时间', dataIndex: 'updatedAt', render: formatDateTime },
                      {
                        title: '操作',
                        render: (_, s) => (
                          <Space wrap>
                            <Button size="small" onClick={() => openInBuilder(s.filter)}>
                              打开
                            </Button>
                            {can('segments.export') && (
                              <ExportButton
                                testId={`saved-export-${s.id}`}
                                onExport={(format) =>
                                  exportTable(`/api/admin/segments/${s.id}/export`, format)
                                }
                              />
                            )}
                            <Button
                              size="small"
                              onClick={() => setForCampaign({ id: s.id, name: s.name })}
                              data-testid={`segment-campaign-${s.id}`}
                            >
                              用于活动
                            </Button>
                            {can('segments.edit') && (
                              <Popconfirm
                                title={`删除分群“${s.name}”？`}
                                okText="删除"
                                okButtonProps={{ danger: true }}
                                cancelText="取消"
                                onConfirm={() => remove.mutateAsync(s.id)}
                              >
                                <Button size="small" danger>
                                  删除
                                </Button>
                              </Popconfirm>
                            )}
                          </Space>
                        ),
                      },
                    ]}
                  />
                )}
              </QueryView>
            ),
          },
        ]}
      />
      {forCampaign && <CampaignModal segment={forCampaign} onClose={() => setForCampaign(null)} />}
    </Card>
  )
}

const campaignKindLabels: Record<string, string> = {
  referral_ask: '邀请推荐好友',
  win_back: '唤回沉睡会员',
  tier_invite: '邀请升级会员',
  holiday: '节日问候',
  birthday: '生日祝福',
  service_reminder: '服务提醒',
  benefit_change: '权益变更通知',
}

/** A draft campaign for a saved segment; it is sent only after an operator approves it. */
function CampaignModal({ segment, onClose }: { segment: { id: number; name: string }; onClose: () => void }) {
  const { message } = App.useApp()
  const client = useQueryClient()
  type Values = { name: string; kind: string; text: string }
  return (
    <FormModal<Values>
      title={`用分群“${segment.name}”建活动草稿`}
      open
      okText="创建草稿"
      onClose={onClose}
      testId="campaign-modal"
      rename={{ 'body.variants.0': 'text', 'body.variants': 'text' }}
      initialValues={{ name: `${segment.name} · 活动`, kind: 'referral_ask' }}
      onSubmit={async (v) => {
        const created = await unwrap(
          api.POST('/api/admin/campaigns', {
            body: {
              name: v.name ?? '',
              kind: v.kind as never,
              segmentId: segment.id,
              channel: 'direct',
              variants: v.text ? [v.text] : [],
              schedule: { type: 'once', at: null },
            } as never,
          }),
        )
        message.success(`已创建活动草稿（编号 ${(created as { id?: number }).id ?? ''}），审批后发送`)
        await client.invalidateQueries({ queryKey: ['campaigns'] })
      }}
    >
      <Form.Item label="活动名称" name="name">
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item label="活动类型" name="kind">
        <Select options={Object.entries(campaignKindLabels).map(([value, l]) => ({ value, label: l }))} />
      </Form.Item>
      <Form.Item label="消息文案" name="text">
        <Input.TextArea rows={3} maxLength={500} placeholder="例如：{昵称}，谢谢一直以来的支持……" />
      </Form.Item>
    </FormModal>
  )
}
