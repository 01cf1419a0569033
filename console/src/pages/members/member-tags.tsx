// A member's tags by dimension: a single-valued dimension (单选) holds one tag and a new one replaces
// it; a multi-valued one holds several. Removing a tag asks first.
import { useState } from 'react'
import { App, Button, Card, Popconfirm, Select, Space, Tag, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, unwrap } from '../../api/client'
import { errorMessage, QueryView } from '../../api/query'

export function useTaxonomy() {
  return useQuery({
    queryKey: ['tags'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/admin/tags', { signal })),
    staleTime: 60_000,
  })
}

export function MemberTags({ memberId, editable = true }: { memberId: number; editable?: boolean }) {
  const { message } = App.useApp()
  const client = useQueryClient()
  const taxonomy = useTaxonomy()
  const tags = useQuery({
    queryKey: ['member', memberId, 'tags'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/admin/members/{id}/tags', { params: { path: { id: memberId } }, signal })),
  })
  const [picked, setPicked] = useState<number | undefined>()
  const changed = () => client.invalidateQueries({ queryKey: ['member', memberId] })
  const add = useMutation({
    mutationFn: (tagId: number) =>
      unwrap(
        api.POST('/api/admin/members/{id}/tags', { params: { path: { id: memberId } }, body: { tagId } }),
      ),
    onSuccess: async (r) => {
      setPicked(undefined)
      message.success(r.replaced.length ? '已替换该维度的标签' : '已添加标签')
      await changed()
    },
    onError: (e) => message.error(errorMessage(e)),
  })
  const remove = useMutation({
    mutationFn: (tagId: number) =>
      unwrap(
        api.DELETE('/api/admin/members/{id}/tags/{tagId}', { params: { path: { id: memberId, tagId } } }),
      ),
    onSuccess: async () => {
      message.success('已去掉标签')
      await changed()
    },
    onError: (e) => message.error(errorMessage(e)),
  })

  return (
    <Card title="标签" data-testid="member-tags">
      <QueryView query={tags} rows={2}>
        {(current) => (
          <Space direction="vertical" style={{ width: '100%' }}>
            {(taxonomy.data ?? []).map((d) => {
              const mine = current.filter((t) => t.dimensionId === d.id)
              return (
                <div key={d.id} data-testid={`tag-dimension-${d.code}`}>
                  <Typography.Text type="secondary">
                    {d.name}
                    {d.multiple ? '（多选）' : '（单选）'}：
                  </Typography.Text>
                  {mine.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
                  {mine.map((t) =>
                    editable ? (
                      <Popconfirm
                        key={t.tagId}
                        title={`去掉标签“${t.tag}”？`}
                        okText="去掉"
                        cancelText="取消"
                        onConfirm={() => remove.mutateAsync(t.tagId)}
                      >
                        <Tag closable onClose={(e) => e.preventDefault()} style={{ cursor: 'pointer' }}>
                          {t.tag}
                        </Tag>
                      </Popconfirm>
                    ) : (
                      <Tag key={t.tagId}>{t.tag}</Tag>
                    ),
                  )}
                </div>
              )
            })}
            {editable && (
              <Space.Compact style={{ width: '100%', maxWidth: 420 }}>
                <Select
                  showSearch
                  optionFilterProp="label"
                  placeholder="选择要添加的标签"
                  style={{ width: '100%' }}
                  value={picked}
                  onChange={setPicked}
                  data-testid="tag-picker"
                  options={(taxonomy.data ?? []).map((d) => ({
                    label: `${d.name}${d.multiple ? '' : '（单选）'}`,
                    title: d.name,
                    options: d.tags
                      .filter((t) => !current.some((c) => c.tagId === t.id))
                      .map((t) => ({ value: t.id, label: `${d.name}：${t.name}` })),
                  }))}
                />
                <Button
                  type="primary"
                  disabled={picked === undefined}
                  loading={add.isPending}
                  onClick={() => picked !== undefined && add.mutate(picked)}
                >
                  添加
                </Button>
              </Space.Compact>
            )}
          </Space>
        )}
      </QueryView>
    </Card>
  )
}
